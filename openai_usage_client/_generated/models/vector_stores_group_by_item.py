from typing import Literal

VectorStoresGroupByItem = Literal["project_id"]

VECTOR_STORES_GROUP_BY_ITEM_VALUES: set[VectorStoresGroupByItem] = {
    "project_id",
}


def check_vector_stores_group_by_item(value: str) -> VectorStoresGroupByItem:
    if value in VECTOR_STORES_GROUP_BY_ITEM_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {VECTOR_STORES_GROUP_BY_ITEM_VALUES!r}"
    )
