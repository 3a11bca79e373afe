from typing import Any
from urllib.parse import quote

from ...models.list_project_api_keys_owner_project_access import (
    ListProjectApiKeysOwnerProjectAccess,
)
from ...types import UNSET, Unset


def _get_kwargs(
    project_id: str,
    *,
    limit: int | Unset = 20,
    after: str | Unset = UNSET,
    owner_project_access: ListProjectApiKeysOwnerProjectAccess | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    params["after"] = after

    json_owner_project_access: str | Unset = UNSET
    if not isinstance(owner_project_access, Unset):
        json_owner_project_access = owner_project_access

    params["owner_project_access"] = json_owner_project_access

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/organization/projects/{project_id}/api_keys".format(
            project_id=quote(str(project_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs
