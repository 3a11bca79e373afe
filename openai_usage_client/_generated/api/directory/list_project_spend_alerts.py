from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.list_project_spend_alerts_order import (
    ListProjectSpendAlertsOrder,
)
from ...models.project_spend_alert_list import ProjectSpendAlertList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    project_id: str,
    *,
    limit: int | Unset = 20,
    order: ListProjectSpendAlertsOrder | Unset = "asc",
    after: str | Unset = UNSET,
    before: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_order: str | Unset = UNSET
    if not isinstance(order, Unset):
        json_order = order

    params["order"] = json_order

    params["after"] = after

    params["before"] = before

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/organization/projects/{project_id}/spend_alerts".format(
            project_id=quote(str(project_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | ProjectSpendAlertList | None:
    if response.status_code == 200:
        response_200 = ProjectSpendAlertList.model_validate_json(response.content)
        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.model_validate_json(response.content)
        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.model_validate_json(response.content)
        return response_401

    if response.status_code == 403:
        response_403 = ErrorResponse.model_validate_json(response.content)
        return response_403

    if response.status_code == 404:
        response_404 = ErrorResponse.model_validate_json(response.content)
        return response_404

    if response.status_code == 429:
        response_429 = ErrorResponse.model_validate_json(response.content)
        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | ProjectSpendAlertList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    project_id: str,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    order: ListProjectSpendAlertsOrder | Unset = "asc",
    after: str | Unset = UNSET,
    before: str | Unset = UNSET,
) -> Response[ErrorResponse | ProjectSpendAlertList]:
    """List a project's spend alerts.

    Args:
        project_id (str):
        limit (int | Unset):  Default: 20.
        order (ListProjectSpendAlertsOrder | Unset):  Default: 'asc'.
        after (str | Unset):
        before (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ProjectSpendAlertList]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        limit=limit,
        order=order,
        after=after,
        before=before,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    project_id: str,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    order: ListProjectSpendAlertsOrder | Unset = "asc",
    after: str | Unset = UNSET,
    before: str | Unset = UNSET,
) -> ErrorResponse | ProjectSpendAlertList | None:
    """List a project's spend alerts.

    Args:
        project_id (str):
        limit (int | Unset):  Default: 20.
        order (ListProjectSpendAlertsOrder | Unset):  Default: 'asc'.
        after (str | Unset):
        before (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ProjectSpendAlertList
    """

    return sync_detailed(
        project_id=project_id,
        client=client,
        limit=limit,
        order=order,
        after=after,
        before=before,
    ).parsed


async def asyncio_detailed(
    project_id: str,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    order: ListProjectSpendAlertsOrder | Unset = "asc",
    after: str | Unset = UNSET,
    before: str | Unset = UNSET,
) -> Response[ErrorResponse | ProjectSpendAlertList]:
    """List a project's spend alerts.

    Args:
        project_id (str):
        limit (int | Unset):  Default: 20.
        order (ListProjectSpendAlertsOrder | Unset):  Default: 'asc'.
        after (str | Unset):
        before (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ProjectSpendAlertList]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        limit=limit,
        order=order,
        after=after,
        before=before,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    project_id: str,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    order: ListProjectSpendAlertsOrder | Unset = "asc",
    after: str | Unset = UNSET,
    before: str | Unset = UNSET,
) -> ErrorResponse | ProjectSpendAlertList | None:
    """List a project's spend alerts.

    Args:
        project_id (str):
        limit (int | Unset):  Default: 20.
        order (ListProjectSpendAlertsOrder | Unset):  Default: 'asc'.
        after (str | Unset):
        before (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ProjectSpendAlertList
    """

    return (
        await asyncio_detailed(
            project_id=project_id,
            client=client,
            limit=limit,
            order=order,
            after=after,
            before=before,
        )
    ).parsed
