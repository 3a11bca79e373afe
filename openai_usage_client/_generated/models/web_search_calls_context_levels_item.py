from typing import Literal

WebSearchCallsContextLevelsItem = Literal["high", "low", "medium"]

WEB_SEARCH_CALLS_CONTEXT_LEVELS_ITEM_VALUES: set[WebSearchCallsContextLevelsItem] = {
    "high",
    "low",
    "medium",
}


def check_web_search_calls_context_levels_item(value: str) -> WebSearchCallsContextLevelsItem:
    if value in WEB_SEARCH_CALLS_CONTEXT_LEVELS_ITEM_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {WEB_SEARCH_CALLS_CONTEXT_LEVELS_ITEM_VALUES!r}"
    )
