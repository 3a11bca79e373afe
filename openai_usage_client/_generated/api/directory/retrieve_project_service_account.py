from typing import Any
from urllib.parse import quote


def _get_kwargs(
    project_id: str,
    service_account_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/organization/projects/{project_id}/service_accounts/{service_account_id}".format(
            project_id=quote(str(project_id), safe=""),
            service_account_id=quote(str(service_account_id), safe=""),
        ),
    }

    return _kwargs
