from typing import Any
from urllib.parse import quote

from ...models.list_project_spend_alerts_order import (
    ListProjectSpendAlertsOrder,
)
from ...types import UNSET, Unset


def _get_kwargs(
    project_id: str,
    *,
    limit: int | Unset = 20,
    order: ListProjectSpendAlertsOrder | Unset = "asc",
    after: str | Unset = UNSET,
    before: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    json_order: str | Unset = UNSET
    if not isinstance(order, Unset):
        json_order = order

    params["order"] = json_order

    params["after"] = after

    params["before"] = before

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/organization/projects/{project_id}/spend_alerts".format(
            project_id=quote(str(project_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs
