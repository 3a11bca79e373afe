from typing import Literal

CompletionsBucketWidth = Literal["1d", "1h", "1m"]

COMPLETIONS_BUCKET_WIDTH_VALUES: set[CompletionsBucketWidth] = {
    "1d",
    "1h",
    "1m",
}


def check_completions_bucket_width(value: str) -> CompletionsBucketWidth:
    if value in COMPLETIONS_BUCKET_WIDTH_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {COMPLETIONS_BUCKET_WIDTH_VALUES!r}"
    )
