from typing import Literal

ListAdminApiKeysOrder = Literal["asc", "desc"]

LIST_ADMIN_API_KEYS_ORDER_VALUES: set[ListAdminApiKeysOrder] = {
    "asc",
    "desc",
}


def check_list_admin_api_keys_order(value: str) -> ListAdminApiKeysOrder:
    if value in LIST_ADMIN_API_KEYS_ORDER_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {LIST_ADMIN_API_KEYS_ORDER_VALUES!r}"
    )
