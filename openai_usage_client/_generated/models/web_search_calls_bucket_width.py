from typing import Literal

WebSearchCallsBucketWidth = Literal["1d", "1h", "1m"]

WEB_SEARCH_CALLS_BUCKET_WIDTH_VALUES: set[WebSearchCallsBucketWidth] = {
    "1d",
    "1h",
    "1m",
}


def check_web_search_calls_bucket_width(value: str) -> WebSearchCallsBucketWidth:
    if value in WEB_SEARCH_CALLS_BUCKET_WIDTH_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {WEB_SEARCH_CALLS_BUCKET_WIDTH_VALUES!r}"
    )
