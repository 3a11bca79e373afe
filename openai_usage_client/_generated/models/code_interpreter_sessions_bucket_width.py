from typing import Literal

CodeInterpreterSessionsBucketWidth = Literal["1d", "1h", "1m"]

CODE_INTERPRETER_SESSIONS_BUCKET_WIDTH_VALUES: set[CodeInterpreterSessionsBucketWidth] = {
    "1d",
    "1h",
    "1m",
}


def check_code_interpreter_sessions_bucket_width(value: str) -> CodeInterpreterSessionsBucketWidth:
    if value in CODE_INTERPRETER_SESSIONS_BUCKET_WIDTH_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CODE_INTERPRETER_SESSIONS_BUCKET_WIDTH_VALUES!r}"
    )
