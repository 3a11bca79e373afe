from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.usage_response import UsageResponse
from ...models.vector_stores_bucket_width import (
    VectorStoresBucketWidth,
)
from ...models.vector_stores_group_by_item import (
    VectorStoresGroupByItem,
)
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    start_time: int,
    end_time: int | Unset = UNSET,
    bucket_width: VectorStoresBucketWidth | Unset = "1d",
    project_ids: list[str] | Unset = UNSET,
    group_by: list[VectorStoresGroupByItem] | Unset = UNSET,
    limit: int | Unset = UNSET,
    page: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["start_time"] = start_time

    params["end_time"] = end_time

    json_bucket_width: str | Unset = UNSET
    if not isinstance(bucket_width, Unset):
        json_bucket_width = bucket_width

    params["bucket_width"] = json_bucket_width

    json_project_ids: list[str] | Unset = UNSET
    if not isinstance(project_ids, Unset):
        json_project_ids = project_ids

    params["project_ids"] = json_project_ids

    json_group_by: list[str] | Unset = UNSET
    if not isinstance(group_by, Unset):
        json_group_by = []
        for group_by_item_data in group_by:
            group_by_item: str = group_by_item_data
            json_group_by.append(group_by_item)

    params["group_by"] = json_group_by

    params["limit"] = limit

    params["page"] = page

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/organization/usage/vector_stores",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | UsageResponse | None:
    if response.status_code == 200:
        response_200 = UsageResponse.model_validate_json(response.content)
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
) -> Response[ErrorResponse | UsageResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    start_time: int,
    end_time: int | Unset = UNSET,
    bucket_width: VectorStoresBucketWidth | Unset = "1d",
    project_ids: list[str] | Unset = UNSET,
    group_by: list[VectorStoresGroupByItem] | Unset = UNSET,
    limit: int | Unset = UNSET,
    page: str | Unset = UNSET,
) -> Response[ErrorResponse | UsageResponse]:
    """Get vector stores usage details for the organization.

    Args:
        start_time (int):
        end_time (int | Unset):
        bucket_width (VectorStoresBucketWidth | Unset):  Default: '1d'.
        project_ids (list[str] | Unset):
        group_by (list[VectorStoresGroupByItem] | Unset):
        limit (int | Unset):
        page (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | UsageResponse]
    """

    kwargs = _get_kwargs(
        start_time=start_time,
        end_time=end_time,
        bucket_width=bucket_width,
        project_ids=project_ids,
        group_by=group_by,
        limit=limit,
        page=page,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    start_time: int,
    end_time: int | Unset = UNSET,
    bucket_width: VectorStoresBucketWidth | Unset = "1d",
    project_ids: list[str] | Unset = UNSET,
    group_by: list[VectorStoresGroupByItem] | Unset = UNSET,
    limit: int | Unset = UNSET,
    page: str | Unset = UNSET,
) -> ErrorResponse | UsageResponse | None:
    """Get vector stores usage details for the organization.

    Args:
        start_time (int):
        end_time (int | Unset):
        bucket_width (VectorStoresBucketWidth | Unset):  Default: '1d'.
        project_ids (list[str] | Unset):
        group_by (list[VectorStoresGroupByItem] | Unset):
        limit (int | Unset):
        page (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | UsageResponse
    """

    return sync_detailed(
        client=client,
        start_time=start_time,
        end_time=end_time,
        bucket_width=bucket_width,
        project_ids=project_ids,
        group_by=group_by,
        limit=limit,
        page=page,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    start_time: int,
    end_time: int | Unset = UNSET,
    bucket_width: VectorStoresBucketWidth | Unset = "1d",
    project_ids: list[str] | Unset = UNSET,
    group_by: list[VectorStoresGroupByItem] | Unset = UNSET,
    limit: int | Unset = UNSET,
    page: str | Unset = UNSET,
) -> Response[ErrorResponse | UsageResponse]:
    """Get vector stores usage details for the organization.

    Args:
        start_time (int):
        end_time (int | Unset):
        bucket_width (VectorStoresBucketWidth | Unset):  Default: '1d'.
        project_ids (list[str] | Unset):
        group_by (list[VectorStoresGroupByItem] | Unset):
        limit (int | Unset):
        page (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | UsageResponse]
    """

    kwargs = _get_kwargs(
        start_time=start_time,
        end_time=end_time,
        bucket_width=bucket_width,
        project_ids=project_ids,
        group_by=group_by,
        limit=limit,
        page=page,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    start_time: int,
    end_time: int | Unset = UNSET,
    bucket_width: VectorStoresBucketWidth | Unset = "1d",
    project_ids: list[str] | Unset = UNSET,
    group_by: list[VectorStoresGroupByItem] | Unset = UNSET,
    limit: int | Unset = UNSET,
    page: str | Unset = UNSET,
) -> ErrorResponse | UsageResponse | None:
    """Get vector stores usage details for the organization.

    Args:
        start_time (int):
        end_time (int | Unset):
        bucket_width (VectorStoresBucketWidth | Unset):  Default: '1d'.
        project_ids (list[str] | Unset):
        group_by (list[VectorStoresGroupByItem] | Unset):
        limit (int | Unset):
        page (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | UsageResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            start_time=start_time,
            end_time=end_time,
            bucket_width=bucket_width,
            project_ids=project_ids,
            group_by=group_by,
            limit=limit,
            page=page,
        )
    ).parsed
