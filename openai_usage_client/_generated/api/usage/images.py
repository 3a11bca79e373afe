from typing import Any

from ...models.images_bucket_width import ImagesBucketWidth
from ...models.images_group_by_item import ImagesGroupByItem
from ...models.images_sources_item import ImagesSourcesItem
from ...types import UNSET, Unset


def _get_kwargs(
    *,
    start_time: int,
    end_time: int | Unset = UNSET,
    bucket_width: ImagesBucketWidth | Unset = "1d",
    sources: list[ImagesSourcesItem] | Unset = UNSET,
    sizes: list[str] | Unset = UNSET,
    project_ids: list[str] | Unset = UNSET,
    user_ids: list[str] | Unset = UNSET,
    api_key_ids: list[str] | Unset = UNSET,
    models: list[str] | Unset = UNSET,
    group_by: list[ImagesGroupByItem] | Unset = UNSET,
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

    json_sources: list[str] | Unset = UNSET
    if not isinstance(sources, Unset):
        json_sources = []
        for sources_item_data in sources:
            sources_item: str = sources_item_data
            json_sources.append(sources_item)

    params["sources"] = json_sources

    json_sizes: list[str] | Unset = UNSET
    if not isinstance(sizes, Unset):
        json_sizes = sizes

    params["sizes"] = json_sizes

    json_project_ids: list[str] | Unset = UNSET
    if not isinstance(project_ids, Unset):
        json_project_ids = project_ids

    params["project_ids"] = json_project_ids

    json_user_ids: list[str] | Unset = UNSET
    if not isinstance(user_ids, Unset):
        json_user_ids = user_ids

    params["user_ids"] = json_user_ids

    json_api_key_ids: list[str] | Unset = UNSET
    if not isinstance(api_key_ids, Unset):
        json_api_key_ids = api_key_ids

    params["api_key_ids"] = json_api_key_ids

    json_models: list[str] | Unset = UNSET
    if not isinstance(models, Unset):
        json_models = models

    params["models"] = json_models

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
        "url": "/organization/usage/images",
        "params": params,
    }

    return _kwargs
