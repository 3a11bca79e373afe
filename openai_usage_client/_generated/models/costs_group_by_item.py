from typing import Literal

CostsGroupByItem = Literal["api_key_id", "api_source", "line_item", "project_id", "user_id"]

COSTS_GROUP_BY_ITEM_VALUES: set[CostsGroupByItem] = {
    "api_key_id",
    "api_source",
    "line_item",
    "project_id",
    "user_id",
}


def check_costs_group_by_item(value: str) -> CostsGroupByItem:
    if value in COSTS_GROUP_BY_ITEM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {COSTS_GROUP_BY_ITEM_VALUES!r}")
