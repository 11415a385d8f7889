from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.reconciliation_report import ReconciliationReport
from ...models.validation_problem import ValidationProblem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    prefix: str | Unset = "",
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["prefix"] = prefix

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/admin/files/reconcile",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | ReconciliationReport | ValidationProblem | None:
    if response.status_code == 200:
        response_200 = ReconciliationReport.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 422:
        response_422 = ValidationProblem.from_dict(response.json())

        return response_422

    if response.status_code == 502:
        response_502 = Problem.from_dict(response.json())

        return response_502

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | ReconciliationReport | ValidationProblem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    prefix: str | Unset = "",
) -> Response[Problem | ReconciliationReport | ValidationProblem]:
    """Compare the bucket with the object index

     Strays (objects without an index row) and missing objects (rows without an object) under
    `prefix`, counted, with a sample of keys; strays under `staging/` older than the grace period
    are deleted, the rest only reported. The run spans several transactions (its row, the
    comparison, its result): the route takes the database, not one session.

    Args:
        prefix (str | Unset):  Default: ''.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ReconciliationReport | ValidationProblem]
    """

    kwargs = _get_kwargs(
        prefix=prefix,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    prefix: str | Unset = "",
) -> Problem | ReconciliationReport | ValidationProblem | None:
    """Compare the bucket with the object index

     Strays (objects without an index row) and missing objects (rows without an object) under
    `prefix`, counted, with a sample of keys; strays under `staging/` older than the grace period
    are deleted, the rest only reported. The run spans several transactions (its row, the
    comparison, its result): the route takes the database, not one session.

    Args:
        prefix (str | Unset):  Default: ''.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ReconciliationReport | ValidationProblem
    """

    return sync_detailed(
        client=client,
        prefix=prefix,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    prefix: str | Unset = "",
) -> Response[Problem | ReconciliationReport | ValidationProblem]:
    """Compare the bucket with the object index

     Strays (objects without an index row) and missing objects (rows without an object) under
    `prefix`, counted, with a sample of keys; strays under `staging/` older than the grace period
    are deleted, the rest only reported. The run spans several transactions (its row, the
    comparison, its result): the route takes the database, not one session.

    Args:
        prefix (str | Unset):  Default: ''.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ReconciliationReport | ValidationProblem]
    """

    kwargs = _get_kwargs(
        prefix=prefix,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    prefix: str | Unset = "",
) -> Problem | ReconciliationReport | ValidationProblem | None:
    """Compare the bucket with the object index

     Strays (objects without an index row) and missing objects (rows without an object) under
    `prefix`, counted, with a sample of keys; strays under `staging/` older than the grace period
    are deleted, the rest only reported. The run spans several transactions (its row, the
    comparison, its result): the route takes the database, not one session.

    Args:
        prefix (str | Unset):  Default: ''.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ReconciliationReport | ValidationProblem
    """

    return (
        await asyncio_detailed(
            client=client,
            prefix=prefix,
        )
    ).parsed
