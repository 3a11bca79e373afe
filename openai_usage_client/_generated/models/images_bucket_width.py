from typing import Literal

ImagesBucketWidth = Literal["1d", "1h", "1m"]

IMAGES_BUCKET_WIDTH_VALUES: set[ImagesBucketWidth] = {
    "1d",
    "1h",
    "1m",
}


def check_images_bucket_width(value: str) -> ImagesBucketWidth:
    if value in IMAGES_BUCKET_WIDTH_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {IMAGES_BUCKET_WIDTH_VALUES!r}")
