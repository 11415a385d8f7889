from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.setlist_out import SetlistOut
from ...models.validation_problem import ValidationProblem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    setlist_id: UUID,
    *,
    if_none_match: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_none_match, Unset):
        headers["If-None-Match"] = if_none_match

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/setlists/{setlist_id}".format(
            setlist_id=quote(str(setlist_id), safe=""),
        ),
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Problem | SetlistOut | ValidationProblem | None:
    if response.status_code == 200:
        response_200 = SetlistOut.from_dict(response.json())

        return response_200

    if response.status_code == 304:
        response_304 = cast(Any, None)
        return response_304

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

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
) -> Response[Any | Problem | SetlistOut | ValidationProblem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    setlist_id: UUID,
    *,
    client: AuthenticatedClient,
    if_none_match: None | str | Unset = UNSET,
) -> Response[Any | Problem | SetlistOut | ValidationProblem]:
    """One setlist

     404 for another user's setlist; 304 when If-None-Match names its ETag.

    Args:
        setlist_id (UUID):
        if_none_match (None | str | Unset): 304 without a body when the ETag is still one of these

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | SetlistOut | ValidationProblem]
    """

    kwargs = _get_kwargs(
        setlist_id=setlist_id,
        if_none_match=if_none_match,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    setlist_id: UUID,
    *,
    client: AuthenticatedClient,
    if_none_match: None | str | Unset = UNSET,
) -> Any | Problem | SetlistOut | ValidationProblem | None:
    """One setlist

     404 for another user's setlist; 304 when If-None-Match names its ETag.

    Args:
        setlist_id (UUID):
        if_none_match (None | str | Unset): 304 without a body when the ETag is still one of these

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | SetlistOut | ValidationProblem
    """

    return sync_detailed(
        setlist_id=setlist_id,
        client=client,
        if_none_match=if_none_match,
    ).parsed


async def asyncio_detailed(
    setlist_id: UUID,
    *,
    client: AuthenticatedClient,
    if_none_match: None | str | Unset = UNSET,
) -> Response[Any | Problem | SetlistOut | ValidationProblem]:
    """One setlist

     404 for another user's setlist; 304 when If-None-Match names its ETag.

    Args:
        setlist_id (UUID):
        if_none_match (None | str | Unset): 304 without a body when the ETag is still one of these

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | SetlistOut | ValidationProblem]
    """

    kwargs = _get_kwargs(
        setlist_id=setlist_id,
        if_none_match=if_none_match,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    setlist_id: UUID,
    *,
    client: AuthenticatedClient,
    if_none_match: None | str | Unset = UNSET,
) -> Any | Problem | SetlistOut | ValidationProblem | None:
    """One setlist

     404 for another user's setlist; 304 when If-None-Match names its ETag.

    Args:
        setlist_id (UUID):
        if_none_match (None | str | Unset): 304 without a body when the ETag is still one of these

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | SetlistOut | ValidationProblem
    """

    return (
        await asyncio_detailed(
            setlist_id=setlist_id,
            client=client,
            if_none_match=if_none_match,
        )
    ).parsed
