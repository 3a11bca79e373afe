from typing import Any

from ...types import UNSET, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 20,
    after: str | Unset = UNSET,
    emails: list[str] | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    params["after"] = after

    json_emails: list[str] | Unset = UNSET
    if not isinstance(emails, Unset):
        json_emails = emails

    params["emails"] = json_emails

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/organization/users",
        "params": params,
    }

    return _kwargs
