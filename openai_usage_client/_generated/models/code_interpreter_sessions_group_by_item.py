from typing import Literal

CodeInterpreterSessionsGroupByItem = Literal["project_id"]

CODE_INTERPRETER_SESSIONS_GROUP_BY_ITEM_VALUES: set[CodeInterpreterSessionsGroupByItem] = {
    "project_id",
}


def check_code_interpreter_sessions_group_by_item(value: str) -> CodeInterpreterSessionsGroupByItem:
    if value in CODE_INTERPRETER_SESSIONS_GROUP_BY_ITEM_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CODE_INTERPRETER_SESSIONS_GROUP_BY_ITEM_VALUES!r}"
    )
