from typing import Literal

FileSearchCallsGroupByItem = Literal["api_key_id", "project_id", "user_id", "vector_store_id"]

FILE_SEARCH_CALLS_GROUP_BY_ITEM_VALUES: set[FileSearchCallsGroupByItem] = {
    "api_key_id",
    "project_id",
    "user_id",
    "vector_store_id",
}


def check_file_search_calls_group_by_item(value: str) -> FileSearchCallsGroupByItem:
    if value in FILE_SEARCH_CALLS_GROUP_BY_ITEM_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {FILE_SEARCH_CALLS_GROUP_BY_ITEM_VALUES!r}"
    )
