from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.admin_api_key_list import AdminApiKeyList
from ...models.error_response import ErrorResponse
from ...models.list_admin_api_keys_order import (
    ListAdminApiKeysOrder,
)
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 20,
    order: ListAdminApiKeysOrder | Unset = "asc",
    after: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_order: str | Unset = UNSET
    if not isinstance(order, Unset):
        json_order = order

    params["order"] = json_order

    params["after"] = after

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/organization/admin_api_keys",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AdminApiKeyList | ErrorResponse | None:
    if response.status_code == 200:
        response_200 = AdminApiKeyList.model_validate_json(response.content)
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

    if response.status_code == 429:
        response_429 = ErrorResponse.model_validate_json(response.content)
        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[AdminApiKeyList | ErrorResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    order: ListAdminApiKeysOrder | Unset = "asc",
    after: str | Unset = UNSET,
) -> Response[AdminApiKeyList | ErrorResponse]:
    """List the organization's admin API keys.

    Args:
        limit (int | Unset):  Default: 20.
        order (ListAdminApiKeysOrder | Unset):  Default: 'asc'.
        after (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AdminApiKeyList | ErrorResponse]
    """

    kwargs = _get_kwargs(
        limit=limit,
        order=order,
        after=after,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    order: ListAdminApiKeysOrder | Unset = "asc",
    after: str | Unset = UNSET,
) -> AdminApiKeyList | ErrorResponse | None:
    """List the organization's admin API keys.

    Args:
        limit (int | Unset):  Default: 20.
        order (ListAdminApiKeysOrder | Unset):  Default: 'asc'.
        after (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AdminApiKeyList | ErrorResponse
    """

    return sync_detailed(
        client=client,
        limit=limit,
        order=order,
        after=after,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    order: ListAdminApiKeysOrder | Unset = "asc",
    after: str | Unset = UNSET,
) -> Response[AdminApiKeyList | ErrorResponse]:
    """List the organization's admin API keys.

    Args:
        limit (int | Unset):  Default: 20.
        order (ListAdminApiKeysOrder | Unset):  Default: 'asc'.
        after (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AdminApiKeyList | ErrorResponse]
    """

    kwargs = _get_kwargs(
        limit=limit,
        order=order,
        after=after,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    order: ListAdminApiKeysOrder | Unset = "asc",
    after: str | Unset = UNSET,
) -> AdminApiKeyList | ErrorResponse | None:
    """List the organization's admin API keys.

    Args:
        limit (int | Unset):  Default: 20.
        order (ListAdminApiKeysOrder | Unset):  Default: 'asc'.
        after (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AdminApiKeyList | ErrorResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            order=order,
            after=after,
        )
    ).parsed
