from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.validation_problem import ValidationProblem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    cursor: None | str | Unset = UNSET,
    last_event_id: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(last_event_id, Unset):
        headers["Last-Event-ID"] = last_event_id

    params: dict[str, Any] = {}

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/sync/stream",
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Problem | ValidationProblem | None:
    if response.status_code == 200:
        response_200 = cast(Any, None)
        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

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
) -> Response[Any | Problem | ValidationProblem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    cursor: None | str | Unset = UNSET,
    last_event_id: None | str | Unset = UNSET,
) -> Response[Any | Problem | ValidationProblem]:
    """The caller's changes as they happen (Server-Sent Events)

     `event: change` per change (`id:` its cursor, `data:` as in GET /sync), a comment line as a
    heartbeat; `event: reset` when the cursor was too old (sync again without one).

    Args:
        cursor (None | str | Unset): Start after this cursor (of GET /sync or an event); none:
            from now on
        last_event_id (None | str | Unset): Set by EventSource when it reconnects

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        last_event_id=last_event_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    cursor: None | str | Unset = UNSET,
    last_event_id: None | str | Unset = UNSET,
) -> Any | Problem | ValidationProblem | None:
    """The caller's changes as they happen (Server-Sent Events)

     `event: change` per change (`id:` its cursor, `data:` as in GET /sync), a comment line as a
    heartbeat; `event: reset` when the cursor was too old (sync again without one).

    Args:
        cursor (None | str | Unset): Start after this cursor (of GET /sync or an event); none:
            from now on
        last_event_id (None | str | Unset): Set by EventSource when it reconnects

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | ValidationProblem
    """

    return sync_detailed(
        client=client,
        cursor=cursor,
        last_event_id=last_event_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    cursor: None | str | Unset = UNSET,
    last_event_id: None | str | Unset = UNSET,
) -> Response[Any | Problem | ValidationProblem]:
    """The caller's changes as they happen (Server-Sent Events)

     `event: change` per change (`id:` its cursor, `data:` as in GET /sync), a comment line as a
    heartbeat; `event: reset` when the cursor was too old (sync again without one).

    Args:
        cursor (None | str | Unset): Start after this cursor (of GET /sync or an event); none:
            from now on
        last_event_id (None | str | Unset): Set by EventSource when it reconnects

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        last_event_id=last_event_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    cursor: None | str | Unset = UNSET,
    last_event_id: None | str | Unset = UNSET,
) -> Any | Problem | ValidationProblem | None:
    """The caller's changes as they happen (Server-Sent Events)

     `event: change` per change (`id:` its cursor, `data:` as in GET /sync), a comment line as a
    heartbeat; `event: reset` when the cursor was too old (sync again without one).

    Args:
        cursor (None | str | Unset): Start after this cursor (of GET /sync or an event); none:
            from now on
        last_event_id (None | str | Unset): Set by EventSource when it reconnects

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | ValidationProblem
    """

    return (
        await asyncio_detailed(
            client=client,
            cursor=cursor,
            last_event_id=last_event_id,
        )
    ).parsed
