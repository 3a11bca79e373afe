"""Any client works against the fake (issue 21): the official ``openai`` SDK (dev group, the
newest version) calls every usage endpoint, costs and the directory reads against a fake
server on loopback, with their documented parameters, and parses every answer into its own
types; the figures are the fake's own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from openai_usage_client._core._endpoints import ENDPOINTS
from openai_usage_client.testing import DEFAULT_ADMIN_KEY, FakeAPI, FakeServer

openai = pytest.importorskip("openai", reason="the official openai SDK is not installed")

START = 1_792_022_400  # 2026-10-15T00:00:00Z
END = 1_793_491_200  # 2026-11-01T00:00:00Z


@pytest.fixture(scope="module")
def fake() -> FakeAPI:
    return FakeAPI(seed=0)


@pytest.fixture(scope="module")
def sdk(fake: FakeAPI) -> Iterator[Any]:
    with FakeServer(fake, port=0) as server:
        client = openai.OpenAI(
            api_key="sk-unused", admin_api_key=DEFAULT_ADMIN_KEY, base_url=server.base_url
        )
        yield client.admin.organization
        client.close()


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_every_usage_endpoint_and_costs_parse_into_the_sdks_types(
    sdk: Any, fake: FakeAPI, endpoint: str
) -> None:
    spec = ENDPOINTS[endpoint]
    call = getattr(sdk.usage, endpoint)
    params: dict[str, Any] = {
        "start_time": START,
        "end_time": END,
        "bucket_width": "1d",
        "group_by": list(spec.group_by),
        "limit": 31,
    }
    page = call(**params)
    assert type(page).__module__.startswith("openai.types.admin.organization")
    assert [b.start_time for b in page.data] == list(range(START, END, 86_400))
    results = [r for b in page.data for r in b.results]
    assert results and {r.object for r in results} == {spec.result_object}
    if spec.is_costs:
        total = sum(r.amount.value for r in results)
        truth = fake.totals("costs", start_time=START, end_time=END)[()]["amount"]
        assert abs(total - float(truth)) < 1e-6
    # Every filter the endpoint documents is accepted (an empty match is still a page).
    for name, facts in spec.filters.items():
        value: Any = True if facts.kind == "bool" else [(facts.choices or ("x",))[0]]
        assert call(**{**params, name: value}).object == "page"


def test_the_directory_reads_parse_into_the_sdks_types(sdk: Any, fake: FakeAPI) -> None:
    projects = list(sdk.projects.list(include_archived=True))
    assert {p.id for p in projects} == {p["id"] for p in fake.directory.projects}
    first = projects[0].id
    assert sdk.projects.retrieve(first).id == first
    assert list(sdk.projects.api_keys.list(first))
    assert list(sdk.projects.service_accounts.list(first)) is not None
    users = list(sdk.users.list())
    assert {u.id for u in users} == {u["id"] for u in fake.directory.users}
    assert list(sdk.admin_api_keys.list())
    limit = sdk.spend_limit.retrieve()
    assert limit.object is not None
    assert list(sdk.spend_alerts.list()) is not None


def test_key_expiry_and_spend_limits_read_alike_by_both_sdks(sdk: Any, fake: FakeAPI) -> None:
    """``ProjectApiKey.expires_at`` and ``.spend_limit`` (SDK 3.63) are in our spec too."""
    from openai_usage_client import UsageClient

    theirs = {
        k.id: (k.expires_at, k.spend_limit and k.spend_limit.threshold_amount)
        for p in sdk.projects.list(include_archived=True)
        for k in sdk.projects.api_keys.list(p.id, owner_project_access="any")
    }
    with (
        FakeServer(fake, port=0) as server,
        UsageClient(DEFAULT_ADMIN_KEY, base_url=server.base_url) as client,
    ):
        directory = client.directory()
    ours = {
        k.id: (k.expires_at, k.spend_limit_cents)
        for k in directory.api_keys.values()
        if k.id in theirs
    }
    assert ours == theirs
    assert any(e for e, _ in ours.values()) and any(c for _, c in ours.values())


def test_the_spend_limits_notification_channel_reads_alike(sdk: Any, fake: FakeAPI) -> None:
    from openai_usage_client import UsageClient

    theirs = sdk.spend_limit.retrieve().notification_channel
    with (
        FakeServer(fake, port=0) as server,
        UsageClient(DEFAULT_ADMIN_KEY, base_url=server.base_url) as client,
    ):
        ours = client.spend_limit.retrieve().notification_channel
    assert ours is not None and theirs is not None
    assert (
        (ours.type, ours.recipients, ours.subject_prefix)
        == (
            theirs.type,
            theirs.recipients,
            theirs.subject_prefix,
        )
        == ("email", ["finance@example.com"], "OpenAI spend limit")
    )


def test_every_single_object_read_of_sdk_3_63(sdk: Any, fake: FakeAPI) -> None:
    """``retrieve`` of an admin key, a project's key, service account, user and spend alert,
    and an organization spend alert: both SDKs get the object the lists give."""
    import asyncio

    from openai_usage_client import AsyncUsageClient, NotFoundError, UsageClient

    d = fake.directory
    pid = next(p for p in d.service_accounts if d.service_accounts[p])
    account = d.service_accounts[pid][0]["id"]
    key = next(k for k in d.api_keys[pid])["id"]
    member = d.project_users[pid][0]["id"]
    alert_pid, alerts = next((p, a) for p, a in d.project_spend_alerts.items() if a)
    reads: list[tuple[str, Any, tuple[Any, ...]]] = [
        ("admin_api_keys", d.admin_api_keys[0]["id"], ()),
        ("spend_alerts", d.spend_alerts[0]["id"], ()),
        ("projects.api_keys", key, (pid,)),
        ("projects.service_accounts", account, (pid,)),
        ("projects.users", member, (pid,)),
        ("projects.spend_alerts", alerts[0]["id"], (alert_pid,)),
    ]

    def resource(root: Any, dotted: str) -> Any:
        for part in dotted.split("."):
            root = getattr(root, part)
        return root

    with (
        FakeServer(fake, port=0) as server,
        UsageClient(DEFAULT_ADMIN_KEY, base_url=server.base_url) as client,
    ):
        for dotted, item, owner in reads:
            theirs = (
                resource(sdk, dotted).retrieve(item, project_id=owner[0])
                if owner
                else resource(sdk, dotted).retrieve(item)
            )
            ours = resource(client, dotted).retrieve(*owner, item)
            assert ours.id == theirs.id == item, dotted

        async def async_reads() -> list[str]:
            async with AsyncUsageClient(DEFAULT_ADMIN_KEY, base_url=server.base_url) as aclient:
                return [(await resource(aclient, d_).retrieve(*o, i)).id for d_, i, o in reads]

        assert asyncio.run(async_reads()) == [item for _, item, _ in reads]
        with pytest.raises(NotFoundError) as caught:
            client.projects.api_keys.retrieve(pid, "key_missing")
    assert "No api key found with id 'key_missing'." in str(caught.value)
