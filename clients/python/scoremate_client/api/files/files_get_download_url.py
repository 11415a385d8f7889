from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.download_url_out import DownloadUrlOut
from ...models.problem import Problem
from ...models.validation_problem import ValidationProblem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    score_id: UUID,
    page: int | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_score_id = str(score_id)
    params["score_id"] = json_score_id

    json_page: int | None | Unset
    if isinstance(page, Unset):
        json_page = UNSET
    else:
        json_page = page
    params["page"] = json_page

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/files/download-url",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DownloadUrlOut | Problem | ValidationProblem | None:
    if response.status_code == 200:
        response_200 = DownloadUrlOut.from_dict(response.json())

        return response_200

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
) -> Response[DownloadUrlOut | Problem | ValidationProblem]:
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
    page: int | None | Unset = UNSET,
) -> Response[DownloadUrlOut | Problem | ValidationProblem]:
    """A presigned GET URL of the original or a page thumbnail

     No page: the original PDF; page=N: that page's thumbnail. 404 for another user's score.

    Args:
        score_id (UUID):
        page (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DownloadUrlOut | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        score_id=score_id,
        page=page,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    score_id: UUID,
    page: int | None | Unset = UNSET,
) -> DownloadUrlOut | Problem | ValidationProblem | None:
    """A presigned GET URL of the original or a page thumbnail

     No page: the original PDF; page=N: that page's thumbnail. 404 for another user's score.

    Args:
        score_id (UUID):
        page (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DownloadUrlOut | Problem | ValidationProblem
    """

    return sync_detailed(
        client=client,
        score_id=score_id,
        page=page,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    score_id: UUID,
    page: int | None | Unset = UNSET,
) -> Response[DownloadUrlOut | Problem | ValidationProblem]:
    """A presigned GET URL of the original or a page thumbnail

     No page: the original PDF; page=N: that page's thumbnail. 404 for another user's score.

    Args:
        score_id (UUID):
        page (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DownloadUrlOut | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        score_id=score_id,
        page=page,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    score_id: UUID,
    page: int | None | Unset = UNSET,
) -> DownloadUrlOut | Problem | ValidationProblem | None:
    """A presigned GET URL of the original or a page thumbnail

     No page: the original PDF; page=N: that page's thumbnail. 404 for another user's score.

    Args:
        score_id (UUID):
        page (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DownloadUrlOut | Problem | ValidationProblem
    """

    return (
        await asyncio_detailed(
            client=client,
            score_id=score_id,
            page=page,
        )
    ).parsed
