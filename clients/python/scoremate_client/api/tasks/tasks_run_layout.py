from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.task_out import TaskOut
from ...models.validation_problem import ValidationProblem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    score_id: UUID,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    params: dict[str, Any] = {}

    json_score_id = str(score_id)
    params["score_id"] = json_score_id

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/tasks/run-layout",
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | TaskOut | ValidationProblem | None:
    if response.status_code == 202:
        response_202 = TaskOut.from_dict(response.json())

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
) -> Response[Problem | TaskOut | ValidationProblem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    score_id: UUID,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[Problem | TaskOut | ValidationProblem]:
    """Send the score to the layout service

     503 when no layout service is configured.

    Args:
        score_id (UUID):
        idempotency_key (None | str | Unset): Makes a retry safe: the same key with the same
            request within 24 h returns the first response (with `Idempotent-Replayed: true`) instead
            of doing it again

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TaskOut | ValidationProblem]
    """

    kwargs = _get_kwargs(
        score_id=score_id,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    score_id: UUID,
    idempotency_key: None | str | Unset = UNSET,
) -> Problem | TaskOut | ValidationProblem | None:
    """Send the score to the layout service

     503 when no layout service is configured.

    Args:
        score_id (UUID):
        idempotency_key (None | str | Unset): Makes a retry safe: the same key with the same
            request within 24 h returns the first response (with `Idempotent-Replayed: true`) instead
            of doing it again

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TaskOut | ValidationProblem
    """

    return sync_detailed(
        client=client,
        score_id=score_id,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    score_id: UUID,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[Problem | TaskOut | ValidationProblem]:
    """Send the score to the layout service

     503 when no layout service is configured.

    Args:
        score_id (UUID):
        idempotency_key (None | str | Unset): Makes a retry safe: the same key with the same
            request within 24 h returns the first response (with `Idempotent-Replayed: true`) instead
            of doing it again

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TaskOut | ValidationProblem]
    """

    kwargs = _get_kwargs(
        score_id=score_id,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    score_id: UUID,
    idempotency_key: None | str | Unset = UNSET,
) -> Problem | TaskOut | ValidationProblem | None:
    """Send the score to the layout service

     503 when no layout service is configured.

    Args:
        score_id (UUID):
        idempotency_key (None | str | Unset): Makes a retry safe: the same key with the same
            request within 24 h returns the first response (with `Idempotent-Replayed: true`) instead
            of doing it again

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TaskOut | ValidationProblem
    """

    return (
        await asyncio_detailed(
            client=client,
            score_id=score_id,
            idempotency_key=idempotency_key,
        )
    ).parsed
