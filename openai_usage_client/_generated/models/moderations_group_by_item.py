from typing import Literal

ModerationsGroupByItem = Literal["api_key_id", "model", "project_id", "user_id"]

MODERATIONS_GROUP_BY_ITEM_VALUES: set[ModerationsGroupByItem] = {
    "api_key_id",
    "model",
    "project_id",
    "user_id",
}


def check_moderations_group_by_item(value: str) -> ModerationsGroupByItem:
    if value in MODERATIONS_GROUP_BY_ITEM_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {MODERATIONS_GROUP_BY_ITEM_VALUES!r}"
    )
