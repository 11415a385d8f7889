from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.multipart_upload_url_out import MultipartUploadUrlOut
from ...models.problem import Problem
from ...models.upload_url_in import UploadUrlIn
from ...models.upload_url_out import UploadUrlOut
from ...models.validation_problem import ValidationProblem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: UploadUrlIn,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/files/upload-url",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> MultipartUploadUrlOut | UploadUrlOut | Problem | ValidationProblem | None:
    if response.status_code == 201:

        def _parse_response_201(data: object) -> MultipartUploadUrlOut | UploadUrlOut:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_201_type_0 = UploadUrlOut.from_dict(data)

                return response_201_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            response_201_type_1 = MultipartUploadUrlOut.from_dict(data)

            return response_201_type_1

        response_201 = _parse_response_201(response.json())

        return response_201

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

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
) -> Response[MultipartUploadUrlOut | UploadUrlOut | Problem | ValidationProblem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: UploadUrlIn,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[MultipartUploadUrlOut | UploadUrlOut | Problem | ValidationProblem]:
    """Reserve an upload and get a presigned PUT URL

     Checks size, type, duplicates and quota, reserves the bytes, signs the URL and the token.
    With `resumable` and a file above the threshold: a multipart upload, a URL per part.

    Args:
        idempotency_key (None | str | Unset): Makes a retry safe: the same key with the same
            request within 24 h returns the first response (with `Idempotent-Replayed: true`) instead
            of doing it again
        body (UploadUrlIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MultipartUploadUrlOut | UploadUrlOut | Problem | ValidationProblem]
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
    body: UploadUrlIn,
    idempotency_key: None | str | Unset = UNSET,
) -> MultipartUploadUrlOut | UploadUrlOut | Problem | ValidationProblem | None:
    """Reserve an upload and get a presigned PUT URL

     Checks size, type, duplicates and quota, reserves the bytes, signs the URL and the token.
    With `resumable` and a file above the threshold: a multipart upload, a URL per part.

    Args:
        idempotency_key (None | str | Unset): Makes a retry safe: the same key with the same
            request within 24 h returns the first response (with `Idempotent-Replayed: true`) instead
            of doing it again
        body (UploadUrlIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MultipartUploadUrlOut | UploadUrlOut | Problem | ValidationProblem
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: UploadUrlIn,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[MultipartUploadUrlOut | UploadUrlOut | Problem | ValidationProblem]:
    """Reserve an upload and get a presigned PUT URL

     Checks size, type, duplicates and quota, reserves the bytes, signs the URL and the token.
    With `resumable` and a file above the threshold: a multipart upload, a URL per part.

    Args:
        idempotency_key (None | str | Unset): Makes a retry safe: the same key with the same
            request within 24 h returns the first response (with `Idempotent-Replayed: true`) instead
            of doing it again
        body (UploadUrlIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MultipartUploadUrlOut | UploadUrlOut | Problem | ValidationProblem]
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
    body: UploadUrlIn,
    idempotency_key: None | str | Unset = UNSET,
) -> MultipartUploadUrlOut | UploadUrlOut | Problem | ValidationProblem | None:
    """Reserve an upload and get a presigned PUT URL

     Checks size, type, duplicates and quota, reserves the bytes, signs the URL and the token.
    With `resumable` and a file above the threshold: a multipart upload, a URL per part.

    Args:
        idempotency_key (None | str | Unset): Makes a retry safe: the same key with the same
            request within 24 h returns the first response (with `Idempotent-Replayed: true`) instead
            of doing it again
        body (UploadUrlIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MultipartUploadUrlOut | UploadUrlOut | Problem | ValidationProblem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
