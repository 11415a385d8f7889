from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.admin_get_monthly_report_format_type_0 import AdminGetMonthlyReportFormatType0
from ...models.monthly_report_out import MonthlyReportOut
from ...models.problem import Problem
from ...models.validation_problem import ValidationProblem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    month: str,
    format_: AdminGetMonthlyReportFormatType0 | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["month"] = month

    json_format_: None | str | Unset
    if isinstance(format_, Unset):
        json_format_ = UNSET
    elif isinstance(format_, AdminGetMonthlyReportFormatType0):
        json_format_ = format_.value
    else:
        json_format_ = format_
    params["format"] = json_format_

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/admin/reports/monthly",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> MonthlyReportOut | Problem | ValidationProblem | None:
    if response.status_code == 200:
        response_200 = MonthlyReportOut.from_dict(response.json())

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

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[MonthlyReportOut | Problem | ValidationProblem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    month: str,
    format_: AdminGetMonthlyReportFormatType0 | None | Unset = UNSET,
) -> Response[MonthlyReportOut | Problem | ValidationProblem]:
    """The activity report of one month, as JSON or CSV

     Sign-ups, active users, uploads, pages, failures by reason, storage in use, plan changes,
    referrals, exports, imports and deletions of a UTC month. CSV (`metric,detail,value`) for
    `format=csv` or `Accept: text/csv`. Recorded in the access log as `report.read`.

    Args:
        month (str): The UTC month, YYYY-MM
        format_ (AdminGetMonthlyReportFormatType0 | None | Unset): `csv` for CSV whatever `Accept`
            says; default: by `Accept`

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MonthlyReportOut | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        month=month,
        format_=format_,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    month: str,
    format_: AdminGetMonthlyReportFormatType0 | None | Unset = UNSET,
) -> MonthlyReportOut | Problem | ValidationProblem | None:
    """The activity report of one month, as JSON or CSV

     Sign-ups, active users, uploads, pages, failures by reason, storage in use, plan changes,
    referrals, exports, imports and deletions of a UTC month. CSV (`metric,detail,value`) for
    `format=csv` or `Accept: text/csv`. Recorded in the access log as `report.read`.

    Args:
        month (str): The UTC month, YYYY-MM
        format_ (AdminGetMonthlyReportFormatType0 | None | Unset): `csv` for CSV whatever `Accept`
            says; default: by `Accept`

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MonthlyReportOut | Problem | ValidationProblem
    """

    return sync_detailed(
        client=client,
        month=month,
        format_=format_,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    month: str,
    format_: AdminGetMonthlyReportFormatType0 | None | Unset = UNSET,
) -> Response[MonthlyReportOut | Problem | ValidationProblem]:
    """The activity report of one month, as JSON or CSV

     Sign-ups, active users, uploads, pages, failures by reason, storage in use, plan changes,
    referrals, exports, imports and deletions of a UTC month. CSV (`metric,detail,value`) for
    `format=csv` or `Accept: text/csv`. Recorded in the access log as `report.read`.

    Args:
        month (str): The UTC month, YYYY-MM
        format_ (AdminGetMonthlyReportFormatType0 | None | Unset): `csv` for CSV whatever `Accept`
            says; default: by `Accept`

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MonthlyReportOut | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        month=month,
        format_=format_,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    month: str,
    format_: AdminGetMonthlyReportFormatType0 | None | Unset = UNSET,
) -> MonthlyReportOut | Problem | ValidationProblem | None:
    """The activity report of one month, as JSON or CSV

     Sign-ups, active users, uploads, pages, failures by reason, storage in use, plan changes,
    referrals, exports, imports and deletions of a UTC month. CSV (`metric,detail,value`) for
    `format=csv` or `Accept: text/csv`. Recorded in the access log as `report.read`.

    Args:
        month (str): The UTC month, YYYY-MM
        format_ (AdminGetMonthlyReportFormatType0 | None | Unset): `csv` for CSV whatever `Accept`
            says; default: by `Accept`

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MonthlyReportOut | Problem | ValidationProblem
    """

    return (
        await asyncio_detailed(
            client=client,
            month=month,
            format_=format_,
        )
    ).parsed
