from typing import Any
from urllib.parse import quote


def _get_kwargs(
    project_id: str,
    user_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/organization/projects/{project_id}/users/{user_id}".format(
            project_id=quote(str(project_id), safe=""),
            user_id=quote(str(user_id), safe=""),
        ),
    }

    return _kwargs
