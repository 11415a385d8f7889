from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.page_export_out import PageExportOut
from ...models.problem import Problem
from ...models.validation_problem import ValidationProblem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    user_id: None | Unset | UUID = UNSET,
    page: int | Unset = 1,
    page_size: int | Unset = 20,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_user_id: None | str | Unset
    if isinstance(user_id, Unset):
        json_user_id = UNSET
    elif isinstance(user_id, UUID):
        json_user_id = str(user_id)
    else:
        json_user_id = user_id
    params["user_id"] = json_user_id

    params["page"] = page

    params["page_size"] = page_size

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/admin/exports",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PageExportOut | Problem | ValidationProblem | None:
    if response.status_code == 200:
        response_200 = PageExportOut.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 422:
        response_422 = ValidationProblem.from_dict(response.json())

        return response_422

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[PageExportOut | Problem | ValidationProblem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    user_id: None | Unset | UUID = UNSET,
    page: int | Unset = 1,
    page_size: int | Unset = 20,
) -> Response[PageExportOut | Problem | ValidationProblem]:
    """A user's exports (or everyone's), newest first

     Recorded as `export.list`.

    Args:
        user_id (None | Unset | UUID): Whose; none: every user's
        page (int | Unset): 1-based page number Default: 1.
        page_size (int | Unset): Items per page, at most 100 Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageExportOut | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        user_id=user_id,
        page=page,
        page_size=page_size,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    user_id: None | Unset | UUID = UNSET,
    page: int | Unset = 1,
    page_size: int | Unset = 20,
) -> PageExportOut | Problem | ValidationProblem | None:
    """A user's exports (or everyone's), newest first

     Recorded as `export.list`.

    Args:
        user_id (None | Unset | UUID): Whose; none: every user's
        page (int | Unset): 1-based page number Default: 1.
        page_size (int | Unset): Items per page, at most 100 Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageExportOut | Problem | ValidationProblem
    """

    return sync_detailed(
        client=client,
        user_id=user_id,
        page=page,
        page_size=page_size,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    user_id: None | Unset | UUID = UNSET,
    page: int | Unset = 1,
    page_size: int | Unset = 20,
) -> Response[PageExportOut | Problem | ValidationProblem]:
    """A user's exports (or everyone's), newest first

     Recorded as `export.list`.

    Args:
        user_id (None | Unset | UUID): Whose; none: every user's
        page (int | Unset): 1-based page number Default: 1.
        page_size (int | Unset): Items per page, at most 100 Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageExportOut | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        user_id=user_id,
        page=page,
        page_size=page_size,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    user_id: None | Unset | UUID = UNSET,
    page: int | Unset = 1,
    page_size: int | Unset = 20,
) -> PageExportOut | Problem | ValidationProblem | None:
    """A user's exports (or everyone's), newest first

     Recorded as `export.list`.

    Args:
        user_id (None | Unset | UUID): Whose; none: every user's
        page (int | Unset): 1-based page number Default: 1.
        page_size (int | Unset): Items per page, at most 100 Default: 20.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageExportOut | Problem | ValidationProblem
    """

    return (
        await asyncio_detailed(
            client=client,
            user_id=user_id,
            page=page,
            page_size=page_size,
        )
    ).parsed
