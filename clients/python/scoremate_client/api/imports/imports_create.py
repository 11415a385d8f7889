from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.import_in import ImportIn
from ...models.import_out import ImportOut
from ...models.problem import Problem
from ...models.validation_problem import ValidationProblem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: ImportIn,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/imports",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ImportOut | Problem | ValidationProblem | None:
    if response.status_code == 201:
        response_201 = ImportOut.from_dict(response.json())

        return response_201

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

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
) -> Response[ImportOut | Problem | ValidationProblem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: ImportIn,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[ImportOut | Problem | ValidationProblem]:
    """Start an import of an archive: get the URL to upload it to

     PUT the archive (a ScoreMate export's ZIP) to `upload.url` with `upload.headers`, then
    POST /imports/{id}/start.

    Args:
        idempotency_key (None | str | Unset): Makes a retry safe: the same key with the same
            request within 24 h returns the first response (with `Idempotent-Replayed: true`) instead
            of doing it again
        body (ImportIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ImportOut | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: ImportIn,
    idempotency_key: None | str | Unset = UNSET,
) -> ImportOut | Problem | ValidationProblem | None:
    """Start an import of an archive: get the URL to upload it to

     PUT the archive (a ScoreMate export's ZIP) to `upload.url` with `upload.headers`, then
    POST /imports/{id}/start.

    Args:
        idempotency_key (None | str | Unset): Makes a retry safe: the same key with the same
            request within 24 h returns the first response (with `Idempotent-Replayed: true`) instead
            of doing it again
        body (ImportIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ImportOut | Problem | ValidationProblem
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: ImportIn,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[ImportOut | Problem | ValidationProblem]:
    """Start an import of an archive: get the URL to upload it to

     PUT the archive (a ScoreMate export's ZIP) to `upload.url` with `upload.headers`, then
    POST /imports/{id}/start.

    Args:
        idempotency_key (None | str | Unset): Makes a retry safe: the same key with the same
            request within 24 h returns the first response (with `Idempotent-Replayed: true`) instead
            of doing it again
        body (ImportIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ImportOut | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: ImportIn,
    idempotency_key: None | str | Unset = UNSET,
) -> ImportOut | Problem | ValidationProblem | None:
    """Start an import of an archive: get the URL to upload it to

     PUT the archive (a ScoreMate export's ZIP) to `upload.url` with `upload.headers`, then
    POST /imports/{id}/start.

    Args:
        idempotency_key (None | str | Unset): Makes a retry safe: the same key with the same
            request within 24 h returns the first response (with `Idempotent-Replayed: true`) instead
            of doing it again
        body (ImportIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ImportOut | Problem | ValidationProblem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
