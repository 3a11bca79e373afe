from typing import Literal

FileSearchCallsBucketWidth = Literal["1d", "1h", "1m"]

FILE_SEARCH_CALLS_BUCKET_WIDTH_VALUES: set[FileSearchCallsBucketWidth] = {
    "1d",
    "1h",
    "1m",
}


def check_file_search_calls_bucket_width(value: str) -> FileSearchCallsBucketWidth:
    if value in FILE_SEARCH_CALLS_BUCKET_WIDTH_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {FILE_SEARCH_CALLS_BUCKET_WIDTH_VALUES!r}"
    )
