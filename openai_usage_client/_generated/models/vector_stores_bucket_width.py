from typing import Literal

VectorStoresBucketWidth = Literal["1d", "1h", "1m"]

VECTOR_STORES_BUCKET_WIDTH_VALUES: set[VectorStoresBucketWidth] = {
    "1d",
    "1h",
    "1m",
}


def check_vector_stores_bucket_width(value: str) -> VectorStoresBucketWidth:
    if value in VECTOR_STORES_BUCKET_WIDTH_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {VECTOR_STORES_BUCKET_WIDTH_VALUES!r}"
    )
