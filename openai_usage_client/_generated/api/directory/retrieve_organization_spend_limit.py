from typing import Any


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/organization/spend_limit",
    }

    return _kwargs
