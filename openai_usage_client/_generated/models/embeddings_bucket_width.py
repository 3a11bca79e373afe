from typing import Literal

EmbeddingsBucketWidth = Literal["1d", "1h", "1m"]

EMBEDDINGS_BUCKET_WIDTH_VALUES: set[EmbeddingsBucketWidth] = {
    "1d",
    "1h",
    "1m",
}


def check_embeddings_bucket_width(value: str) -> EmbeddingsBucketWidth:
    if value in EMBEDDINGS_BUCKET_WIDTH_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {EMBEDDINGS_BUCKET_WIDTH_VALUES!r}"
    )
