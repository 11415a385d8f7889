from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.export_out import ExportOut
from ...models.problem import Problem
from ...models.validation_problem import ValidationProblem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/exports",
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ExportOut | Problem | ValidationProblem | None:
    if response.status_code == 202:
        response_202 = ExportOut.from_dict(response.json())

        return response_202

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

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
) -> Response[ExportOut | Problem | ValidationProblem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[ExportOut | Problem | ValidationProblem]:
    """Start an export of the caller's whole library

     Every service writes its part, then one archive is built (README, library.json,
    setlists.json, account.json and every original PDF); follow it with GET /exports/{id}.

    Args:
        idempotency_key (None | str | Unset): Makes a retry safe: the same key with the same
            request within 24 h returns the first response (with `Idempotent-Replayed: true`) instead
            of doing it again

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ExportOut | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    idempotency_key: None | str | Unset = UNSET,
) -> ExportOut | Problem | ValidationProblem | None:
    """Start an export of the caller's whole library

     Every service writes its part, then one archive is built (README, library.json,
    setlists.json, account.json and every original PDF); follow it with GET /exports/{id}.

    Args:
        idempotency_key (None | str | Unset): Makes a retry safe: the same key with the same
            request within 24 h returns the first response (with `Idempotent-Replayed: true`) instead
            of doing it again

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ExportOut | Problem | ValidationProblem
    """

    return sync_detailed(
        client=client,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[ExportOut | Problem | ValidationProblem]:
    """Start an export of the caller's whole library

     Every service writes its part, then one archive is built (README, library.json,
    setlists.json, account.json and every original PDF); follow it with GET /exports/{id}.

    Args:
        idempotency_key (None | str | Unset): Makes a retry safe: the same key with the same
            request within 24 h returns the first response (with `Idempotent-Replayed: true`) instead
            of doing it again

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ExportOut | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    idempotency_key: None | str | Unset = UNSET,
) -> ExportOut | Problem | ValidationProblem | None:
    """Start an export of the caller's whole library

     Every service writes its part, then one archive is built (README, library.json,
    setlists.json, account.json and every original PDF); follow it with GET /exports/{id}.

    Args:
        idempotency_key (None | str | Unset): Makes a retry safe: the same key with the same
            request within 24 h returns the first response (with `Idempotent-Replayed: true`) instead
            of doing it again

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ExportOut | Problem | ValidationProblem
    """

    return (
        await asyncio_detailed(
            client=client,
            idempotency_key=idempotency_key,
        )
    ).parsed
