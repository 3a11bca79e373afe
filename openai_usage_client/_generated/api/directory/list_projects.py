from typing import Any

from ...types import UNSET, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 20,
    after: str | Unset = UNSET,
    include_archived: bool | Unset = False,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    params["after"] = after

    params["include_archived"] = include_archived

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/organization/projects",
        "params": params,
    }

    return _kwargs
