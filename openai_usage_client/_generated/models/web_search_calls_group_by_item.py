from typing import Literal

WebSearchCallsGroupByItem = Literal[
    "api_key_id", "api_source", "context_level", "model", "project_id", "user_id"
]

WEB_SEARCH_CALLS_GROUP_BY_ITEM_VALUES: set[WebSearchCallsGroupByItem] = {
    "api_key_id",
    "api_source",
    "context_level",
    "model",
    "project_id",
    "user_id",
}


def check_web_search_calls_group_by_item(value: str) -> WebSearchCallsGroupByItem:
    if value in WEB_SEARCH_CALLS_GROUP_BY_ITEM_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {WEB_SEARCH_CALLS_GROUP_BY_ITEM_VALUES!r}"
    )
