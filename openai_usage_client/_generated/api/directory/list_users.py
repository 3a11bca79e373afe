from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.user_list import UserList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 20,
    after: str | Unset = UNSET,
    emails: list[str] | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    params["after"] = after

    json_emails: list[str] | Unset = UNSET
    if not isinstance(emails, Unset):
        json_emails = emails

    params["emails"] = json_emails

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/organization/users",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | UserList | None:
    if response.status_code == 200:
        response_200 = UserList.model_validate_json(response.content)
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
) -> Response[ErrorResponse | UserList]:
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
    after: str | Unset = UNSET,
    emails: list[str] | Unset = UNSET,
) -> Response[ErrorResponse | UserList]:
    """List the organization's users.

    Args:
        limit (int | Unset):  Default: 20.
        after (str | Unset):
        emails (list[str] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | UserList]
    """

    kwargs = _get_kwargs(
        limit=limit,
        after=after,
        emails=emails,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    after: str | Unset = UNSET,
    emails: list[str] | Unset = UNSET,
) -> ErrorResponse | UserList | None:
    """List the organization's users.

    Args:
        limit (int | Unset):  Default: 20.
        after (str | Unset):
        emails (list[str] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | UserList
    """

    return sync_detailed(
        client=client,
        limit=limit,
        after=after,
        emails=emails,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    after: str | Unset = UNSET,
    emails: list[str] | Unset = UNSET,
) -> Response[ErrorResponse | UserList]:
    """List the organization's users.

    Args:
        limit (int | Unset):  Default: 20.
        after (str | Unset):
        emails (list[str] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | UserList]
    """

    kwargs = _get_kwargs(
        limit=limit,
        after=after,
        emails=emails,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = 20,
    after: str | Unset = UNSET,
    emails: list[str] | Unset = UNSET,
) -> ErrorResponse | UserList | None:
    """List the organization's users.

    Args:
        limit (int | Unset):  Default: 20.
        after (str | Unset):
        emails (list[str] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | UserList
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            after=after,
            emails=emails,
        )
    ).parsed
