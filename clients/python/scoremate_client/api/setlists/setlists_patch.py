from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.setlist_out import SetlistOut
from ...models.setlist_patch import SetlistPatch
from ...models.validation_problem import ValidationProblem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    setlist_id: UUID,
    *,
    body: SetlistPatch,
    if_match: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_match, Unset):
        headers["If-Match"] = if_match

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/setlists/{setlist_id}".format(
            setlist_id=quote(str(setlist_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | SetlistOut | ValidationProblem | None:
    if response.status_code == 200:
        response_200 = SetlistOut.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 412:
        response_412 = Problem.from_dict(response.json())

        return response_412

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
) -> Response[Problem | SetlistOut | ValidationProblem]:
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
    body: SetlistPatch,
    if_match: None | str | Unset = UNSET,
) -> Response[Problem | SetlistOut | ValidationProblem]:
    """Rename or describe a setlist

     Only the fields sent change.

    Args:
        setlist_id (UUID):
        if_match (None | str | Unset): Apply only if the resource still has one of these ETags (or
            `*`); 412 otherwise
        body (SetlistPatch): Only the fields sent change; null clears the description.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SetlistOut | ValidationProblem]
    """

    kwargs = _get_kwargs(
        setlist_id=setlist_id,
        body=body,
        if_match=if_match,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    setlist_id: UUID,
    *,
    client: AuthenticatedClient,
    body: SetlistPatch,
    if_match: None | str | Unset = UNSET,
) -> Problem | SetlistOut | ValidationProblem | None:
    """Rename or describe a setlist

     Only the fields sent change.

    Args:
        setlist_id (UUID):
        if_match (None | str | Unset): Apply only if the resource still has one of these ETags (or
            `*`); 412 otherwise
        body (SetlistPatch): Only the fields sent change; null clears the description.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SetlistOut | ValidationProblem
    """

    return sync_detailed(
        setlist_id=setlist_id,
        client=client,
        body=body,
        if_match=if_match,
    ).parsed


async def asyncio_detailed(
    setlist_id: UUID,
    *,
    client: AuthenticatedClient,
    body: SetlistPatch,
    if_match: None | str | Unset = UNSET,
) -> Response[Problem | SetlistOut | ValidationProblem]:
    """Rename or describe a setlist

     Only the fields sent change.

    Args:
        setlist_id (UUID):
        if_match (None | str | Unset): Apply only if the resource still has one of these ETags (or
            `*`); 412 otherwise
        body (SetlistPatch): Only the fields sent change; null clears the description.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SetlistOut | ValidationProblem]
    """

    kwargs = _get_kwargs(
        setlist_id=setlist_id,
        body=body,
        if_match=if_match,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    setlist_id: UUID,
    *,
    client: AuthenticatedClient,
    body: SetlistPatch,
    if_match: None | str | Unset = UNSET,
) -> Problem | SetlistOut | ValidationProblem | None:
    """Rename or describe a setlist

     Only the fields sent change.

    Args:
        setlist_id (UUID):
        if_match (None | str | Unset): Apply only if the resource still has one of these ETags (or
            `*`); 412 otherwise
        body (SetlistPatch): Only the fields sent change; null clears the description.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SetlistOut | ValidationProblem
    """

    return (
        await asyncio_detailed(
            setlist_id=setlist_id,
            client=client,
            body=body,
            if_match=if_match,
        )
    ).parsed
