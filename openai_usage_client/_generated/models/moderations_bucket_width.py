from typing import Literal

ModerationsBucketWidth = Literal["1d", "1h", "1m"]

MODERATIONS_BUCKET_WIDTH_VALUES: set[ModerationsBucketWidth] = {
    "1d",
    "1h",
    "1m",
}


def check_moderations_bucket_width(value: str) -> ModerationsBucketWidth:
    if value in MODERATIONS_BUCKET_WIDTH_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {MODERATIONS_BUCKET_WIDTH_VALUES!r}"
    )
