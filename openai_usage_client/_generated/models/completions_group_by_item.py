from typing import Literal

CompletionsGroupByItem = Literal[
    "api_key_id", "api_source", "batch", "model", "project_id", "service_tier", "user_id"
]

COMPLETIONS_GROUP_BY_ITEM_VALUES: set[CompletionsGroupByItem] = {
    "api_key_id",
    "api_source",
    "batch",
    "model",
    "project_id",
    "service_tier",
    "user_id",
}


def check_completions_group_by_item(value: str) -> CompletionsGroupByItem:
    if value in COMPLETIONS_GROUP_BY_ITEM_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {COMPLETIONS_GROUP_BY_ITEM_VALUES!r}"
    )
