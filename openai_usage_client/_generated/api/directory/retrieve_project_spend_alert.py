from typing import Any
from urllib.parse import quote


def _get_kwargs(
    project_id: str,
    alert_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/organization/projects/{project_id}/spend_alerts/{alert_id}".format(
            project_id=quote(str(project_id), safe=""),
            alert_id=quote(str(alert_id), safe=""),
        ),
    }

    return _kwargs
