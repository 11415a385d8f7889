from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.complete_upload_in import CompleteUploadIn
from ...models.multipart_upload_out import MultipartUploadOut
from ...models.problem import Problem
from ...models.validation_problem import ValidationProblem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    score_id: UUID,
    *,
    body: CompleteUploadIn | None | Unset = UNSET,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/files/uploads/{score_id}/complete".format(
            score_id=quote(str(score_id), safe=""),
        ),
    }

    if isinstance(body, CompleteUploadIn):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> MultipartUploadOut | Problem | ValidationProblem | None:
    if response.status_code == 200:
        response_200 = MultipartUploadOut.from_dict(response.json())

        return response_200

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
) -> Response[MultipartUploadOut | Problem | ValidationProblem]:
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
    body: CompleteUploadIn | None | Unset = UNSET,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[MultipartUploadOut | Problem | ValidationProblem]:
    """Join a multipart upload's parts into the uploaded file

     CompleteMultipartUpload with every part (storage's listing; the body's ETags, if given, must
    match it); then POST /scores with the upload token. Completing twice is 200.

    Args:
        score_id (UUID):
        idempotency_key (None | str | Unset): Makes a retry safe: the same key with the same
            request within 24 h returns the first response (with `Idempotent-Replayed: true`) instead
            of doing it again
        body (CompleteUploadIn | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MultipartUploadOut | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        score_id=score_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    score_id: UUID,
    *,
    client: AuthenticatedClient,
    body: CompleteUploadIn | None | Unset = UNSET,
    idempotency_key: None | str | Unset = UNSET,
) -> MultipartUploadOut | Problem | ValidationProblem | None:
    """Join a multipart upload's parts into the uploaded file

     CompleteMultipartUpload with every part (storage's listing; the body's ETags, if given, must
    match it); then POST /scores with the upload token. Completing twice is 200.

    Args:
        score_id (UUID):
        idempotency_key (None | str | Unset): Makes a retry safe: the same key with the same
            request within 24 h returns the first response (with `Idempotent-Replayed: true`) instead
            of doing it again
        body (CompleteUploadIn | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MultipartUploadOut | Problem | ValidationProblem
    """

    return sync_detailed(
        score_id=score_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    score_id: UUID,
    *,
    client: AuthenticatedClient,
    body: CompleteUploadIn | None | Unset = UNSET,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[MultipartUploadOut | Problem | ValidationProblem]:
    """Join a multipart upload's parts into the uploaded file

     CompleteMultipartUpload with every part (storage's listing; the body's ETags, if given, must
    match it); then POST /scores with the upload token. Completing twice is 200.

    Args:
        score_id (UUID):
        idempotency_key (None | str | Unset): Makes a retry safe: the same key with the same
            request within 24 h returns the first response (with `Idempotent-Replayed: true`) instead
            of doing it again
        body (CompleteUploadIn | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MultipartUploadOut | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        score_id=score_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    score_id: UUID,
    *,
    client: AuthenticatedClient,
    body: CompleteUploadIn | None | Unset = UNSET,
    idempotency_key: None | str | Unset = UNSET,
) -> MultipartUploadOut | Problem | ValidationProblem | None:
    """Join a multipart upload's parts into the uploaded file

     CompleteMultipartUpload with every part (storage's listing; the body's ETags, if given, must
    match it); then POST /scores with the upload token. Completing twice is 200.

    Args:
        score_id (UUID):
        idempotency_key (None | str | Unset): Makes a retry safe: the same key with the same
            request within 24 h returns the first response (with `Idempotent-Replayed: true`) instead
            of doing it again
        body (CompleteUploadIn | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MultipartUploadOut | Problem | ValidationProblem
    """

    return (
        await asyncio_detailed(
            score_id=score_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
