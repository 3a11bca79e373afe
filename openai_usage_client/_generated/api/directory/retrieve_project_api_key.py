from typing import Any
from urllib.parse import quote


def _get_kwargs(
    project_id: str,
    api_key_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/organization/projects/{project_id}/api_keys/{api_key_id}".format(
            project_id=quote(str(project_id), safe=""),
            api_key_id=quote(str(api_key_id), safe=""),
        ),
    }

    return _kwargs
