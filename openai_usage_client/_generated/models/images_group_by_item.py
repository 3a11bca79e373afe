from typing import Literal

ImagesGroupByItem = Literal["api_key_id", "model", "project_id", "size", "source", "user_id"]

IMAGES_GROUP_BY_ITEM_VALUES: set[ImagesGroupByItem] = {
    "api_key_id",
    "model",
    "project_id",
    "size",
    "source",
    "user_id",
}


def check_images_group_by_item(value: str) -> ImagesGroupByItem:
    if value in IMAGES_GROUP_BY_ITEM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {IMAGES_GROUP_BY_ITEM_VALUES!r}")
