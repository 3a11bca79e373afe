from typing import Any

from ...models.web_search_calls_bucket_width import (
    WebSearchCallsBucketWidth,
)
from ...models.web_search_calls_context_levels_item import (
    WebSearchCallsContextLevelsItem,
)
from ...models.web_search_calls_group_by_item import (
    WebSearchCallsGroupByItem,
)
from ...types import UNSET, Unset


def _get_kwargs(
    *,
    start_time: int,
    end_time: int | Unset = UNSET,
    bucket_width: WebSearchCallsBucketWidth | Unset = "1d",
    project_ids: list[str] | Unset = UNSET,
    user_ids: list[str] | Unset = UNSET,
    api_key_ids: list[str] | Unset = UNSET,
    models: list[str] | Unset = UNSET,
    context_levels: list[WebSearchCallsContextLevelsItem] | Unset = UNSET,
    group_by: list[WebSearchCallsGroupByItem] | Unset = UNSET,
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

    json_context_levels: list[str] | Unset = UNSET
    if not isinstance(context_levels, Unset):
        json_context_levels = []
        for context_levels_item_data in context_levels:
            context_levels_item: str = context_levels_item_data
            json_context_levels.append(context_levels_item)

    params["context_levels"] = json_context_levels

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
        "url": "/organization/usage/web_search_calls",
        "params": params,
    }

    return _kwargs
