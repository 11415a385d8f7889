from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.validation_problem import ValidationProblem
from ...types import Response


def _get_kwargs(
    score_id: UUID,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/files/uploads/{score_id}".format(
            score_id=quote(str(score_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Problem | ValidationProblem | None:
    if response.status_code == 204:
        response_204 = cast(Any, None)
        return response_204

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

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
) -> Response[Any | Problem | ValidationProblem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    score_id: UUID,
    *,
    client: AuthenticatedClient,
) -> Response[Any | Problem | ValidationProblem]:
    """Give an upload up: abort it and release its reserved bytes

     AbortMultipartUpload (a single PUT's reservation is released the same way); 204 again
    for an upload already released.

    Args:
        score_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        score_id=score_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    score_id: UUID,
    *,
    client: AuthenticatedClient,
) -> Any | Problem | ValidationProblem | None:
    """Give an upload up: abort it and release its reserved bytes

     AbortMultipartUpload (a single PUT's reservation is released the same way); 204 again
    for an upload already released.

    Args:
        score_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | ValidationProblem
    """

    return sync_detailed(
        score_id=score_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    score_id: UUID,
    *,
    client: AuthenticatedClient,
) -> Response[Any | Problem | ValidationProblem]:
    """Give an upload up: abort it and release its reserved bytes

     AbortMultipartUpload (a single PUT's reservation is released the same way); 204 again
    for an upload already released.

    Args:
        score_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        score_id=score_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    score_id: UUID,
    *,
    client: AuthenticatedClient,
) -> Any | Problem | ValidationProblem | None:
    """Give an upload up: abort it and release its reserved bytes

     AbortMultipartUpload (a single PUT's reservation is released the same way); 204 again
    for an upload already released.

    Args:
        score_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | ValidationProblem
    """

    return (
        await asyncio_detailed(
            score_id=score_id,
            client=client,
        )
    ).parsed
