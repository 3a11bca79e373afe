from typing import Literal

DecisionsGroupByItem = Literal[
    "api_key_id", "api_source", "batch", "model", "project_id", "service_tier", "user_id"
]

DECISIONS_GROUP_BY_ITEM_VALUES: set[DecisionsGroupByItem] = {
    "api_key_id",
    "api_source",
    "batch",
    "model",
    "project_id",
    "service_tier",
    "user_id",
}


def check_decisions_group_by_item(value: str) -> DecisionsGroupByItem:
    if value in DECISIONS_GROUP_BY_ITEM_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {DECISIONS_GROUP_BY_ITEM_VALUES!r}"
    )
