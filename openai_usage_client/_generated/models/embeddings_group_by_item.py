from typing import Literal

EmbeddingsGroupByItem = Literal["api_key_id", "model", "project_id", "user_id"]

EMBEDDINGS_GROUP_BY_ITEM_VALUES: set[EmbeddingsGroupByItem] = {
    "api_key_id",
    "model",
    "project_id",
    "user_id",
}


def check_embeddings_group_by_item(value: str) -> EmbeddingsGroupByItem:
    if value in EMBEDDINGS_GROUP_BY_ITEM_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {EMBEDDINGS_GROUP_BY_ITEM_VALUES!r}"
    )
