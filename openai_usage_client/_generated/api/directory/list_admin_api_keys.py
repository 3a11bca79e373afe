from typing import Any

from ...models.list_admin_api_keys_order import (
    ListAdminApiKeysOrder,
)
from ...types import UNSET, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 20,
    order: ListAdminApiKeysOrder | Unset = "asc",
    after: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_order: str | Unset = UNSET
    if not isinstance(order, Unset):
        json_order = order

    params["order"] = json_order

    params["after"] = after

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/organization/admin_api_keys",
        "params": params,
    }

    return _kwargs
