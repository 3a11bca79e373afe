from typing import Any

from ...models.costs_bucket_width import CostsBucketWidth
from ...models.costs_group_by_item import CostsGroupByItem
from ...types import UNSET, Unset


def _get_kwargs(
    *,
    start_time: int,
    end_time: int | Unset = UNSET,
    bucket_width: CostsBucketWidth | Unset = "1d",
    project_ids: list[str] | Unset = UNSET,
    api_key_ids: list[str] | Unset = UNSET,
    line_items: list[str] | Unset = UNSET,
    group_by: list[CostsGroupByItem] | Unset = UNSET,
    limit: int | Unset = 7,
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

    json_api_key_ids: list[str] | Unset = UNSET
    if not isinstance(api_key_ids, Unset):
        json_api_key_ids = api_key_ids

    params["api_key_ids"] = json_api_key_ids

    json_line_items: list[str] | Unset = UNSET
    if not isinstance(line_items, Unset):
        json_line_items = line_items

    params["line_items"] = json_line_items

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
        "url": "/organization/costs",
        "params": params,
    }

    return _kwargs
