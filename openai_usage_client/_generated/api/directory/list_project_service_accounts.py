from typing import Any
from urllib.parse import quote

from ...types import UNSET, Unset


def _get_kwargs(
    project_id: str,
    *,
    limit: int | Unset = 20,
    after: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    params["after"] = after

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/organization/projects/{project_id}/service_accounts".format(
            project_id=quote(str(project_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs
