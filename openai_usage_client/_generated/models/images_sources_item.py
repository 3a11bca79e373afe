from typing import Literal

ImagesSourcesItem = Literal["image.edit", "image.generation", "image.variation"]

IMAGES_SOURCES_ITEM_VALUES: set[ImagesSourcesItem] = {
    "image.edit",
    "image.generation",
    "image.variation",
}


def check_images_sources_item(value: str) -> ImagesSourcesItem:
    if value in IMAGES_SOURCES_ITEM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {IMAGES_SOURCES_ITEM_VALUES!r}")
