"""The spec follows the newest official SDK (issue 21): every field the ``openai`` SDK's
types read from a usage or costs result, a directory object or a spend setting is in our
models too. Skipped, with the reason, where the SDK is not installed (the dev group has it)."""

from __future__ import annotations

import importlib
import typing
from typing import Any

import pytest

from openai_usage_client._generated import models as ours

pytest.importorskip("openai", reason="the official openai SDK is not installed")

#: The SDK's directory and spend types, and ours.
PAIRS: dict[str, str] = {
    "projects.project_api_key:ProjectAPIKey": "ProjectApiKey",
    "project_api_key_spend_limit:ProjectAPIKeySpendLimit": "ProjectApiKeySpendLimit",
    "projects.project_service_account:ProjectServiceAccount": "ProjectServiceAccount",
    "projects.project_user:ProjectUser": "ProjectUser",
    "admin_api_key:AdminAPIKey": "AdminApiKey",
    "organization_spend_limit:OrganizationSpendLimit": "OrganizationSpendLimit",
    "projects.project_spend_limit:ProjectSpendLimit": "ProjectSpendLimit",
    "organization_spend_alert:OrganizationSpendAlert": "OrganizationSpendAlert",
    "projects.project_spend_alert:ProjectSpendAlert": "ProjectSpendAlert",
    "project:Project": "Project",
    "organization_user:OrganizationUser": "User",
}


def _fields(model: Any) -> set[str]:
    return {f.alias or name for name, f in model.model_fields.items()}


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and isinstance(getattr(value, "model_fields", None), dict)


def _object(model: Any) -> Any:
    found = model.model_fields.get("object")
    if found is None:
        return None
    args = typing.get_args(found.annotation)
    return args[0] if args and isinstance(args[0], str) else found.default


@pytest.mark.parametrize(("theirs", "mine"), PAIRS.items())
def test_every_field_of_the_sdks_directory_types_is_ours(theirs: str, mine: str) -> None:
    module, name = theirs.split(":")
    sdk_type = getattr(importlib.import_module(f"openai.types.admin.organization.{module}"), name)
    assert sorted(_fields(sdk_type) - _fields(getattr(ours, mine))) == []


def test_every_field_of_the_sdks_usage_and_costs_results_is_ours() -> None:
    by_object = {}
    for name in dir(ours):
        model = getattr(ours, name)
        if isinstance(model, type) and isinstance(
            _object(model) if hasattr(model, "model_fields") else None, str
        ):
            by_object.setdefault(_object(model), model)
    compared = 0
    for module in ("usage_completions_response", "usage_costs_response"):
        sdk = importlib.import_module(f"openai.types.admin.organization.{module}")
        for name in dir(sdk):
            model = getattr(sdk, name)
            if not (name.startswith("DataResult") and _is_model(model)):
                continue
            if "object" not in model.model_fields:
                continue
            mine = by_object.get(_object(model))
            assert mine is not None, f"no model of ours for {_object(model)!r}"
            assert sorted(_fields(model) - _fields(mine)) == [], name
            compared += 1
    assert compared >= 12  # every usage result type and costs
