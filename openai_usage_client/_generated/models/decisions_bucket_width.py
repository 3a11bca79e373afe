from typing import Literal

DecisionsBucketWidth = Literal["1d", "1h", "1m"]

DECISIONS_BUCKET_WIDTH_VALUES: set[DecisionsBucketWidth] = {
    "1d",
    "1h",
    "1m",
}


def check_decisions_bucket_width(value: str) -> DecisionsBucketWidth:
    if value in DECISIONS_BUCKET_WIDTH_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {DECISIONS_BUCKET_WIDTH_VALUES!r}"
    )
