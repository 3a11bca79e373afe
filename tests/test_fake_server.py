"""The fake as a real HTTP server on loopback."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from openai_usage_client.testing import DEFAULT_ADMIN_KEY, FakeAPI, FakeServer, Faults, serve

NOW = 1_793_491_200
WED = NOW - 18 * 86_400
AUTH = {"Authorization": f"Bearer {DEFAULT_ADMIN_KEY}"}
COMPLETIONS = "/organization/usage/completions"


def test_server_answers_on_loopback_like_the_transport() -> None:
    fake = FakeAPI(seed=3)
    params: dict[str, Any] = {"start_time": WED, "group_by[]": ["model", "project_id"]}
    with FakeServer(fake, port=0) as server:
        assert server.base_url.startswith("http://127.0.0.1:")
        assert server.base_url.endswith("/v1")
        assert server.port > 0
        with httpx.Client(base_url=server.base_url, headers=AUTH) as client:
            resp = client.get(COMPLETIONS, params=params)
            missing = client.get(COMPLETIONS, params=params, headers={"Authorization": ""})
            bad = client.get(COMPLETIONS, params={"start_time": WED, "limit": 99})
    with FakeAPI(seed=3).client() as in_process:
        expected = in_process.get(COMPLETIONS, params=params)
    assert resp.status_code == 200
    assert resp.content == expected.content
    assert resp.headers["x-request-id"] == expected.headers["x-request-id"]
    assert resp.headers["content-type"] == "application/json"
    assert missing.status_code == 401
    assert bad.status_code == 400
    assert bad.json()["error"]["param"] == "limit"
    assert [r.path for r in fake.request_log] == ["/v1" + COMPLETIONS] * 3


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com", "::"])
def test_non_loopback_hosts_are_refused(host: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        FakeServer(FakeAPI(), host=host)
    with pytest.raises(ValueError, match="loopback"):
        serve(FakeAPI(), host=host, port=0)


def test_concurrent_requests_with_latency_are_not_serialised() -> None:
    fake = FakeAPI(latency=0.05)
    fake.totals("completions", start_time=WED - 16 * 86_400)  # generate the data up front
    with FakeServer(fake) as server:
        limits = httpx.Limits(max_connections=32)
        with httpx.Client(base_url=server.base_url, headers=AUTH, limits=limits) as client:
            client.get(COMPLETIONS, params={"start_time": WED})  # warm up

            def one(i: int) -> int:
                return client.get(COMPLETIONS, params={"start_time": WED - i * 86_400}).status_code

            t0 = time.perf_counter()
            with ThreadPoolExecutor(16) as pool:
                statuses = list(pool.map(one, range(16)))
            elapsed = time.perf_counter() - t0
    assert statuses == [200] * 16
    assert elapsed < 0.4  # 16 x 50 ms = 0.8 s if serialised


def test_server_reset_and_timeout() -> None:
    with (
        FakeServer(FakeAPI(faults=Faults(rate_reset=1.0))) as server,
        httpx.Client(base_url=server.base_url, headers=AUTH) as client,
        pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)),
    ):
        client.get(COMPLETIONS, params={"start_time": WED})
    slow = FakeAPI(faults=Faults(rate_timeout=1.0, timeout_delay=0.5))
    with FakeServer(slow) as server:
        with (
            httpx.Client(base_url=server.base_url, headers=AUTH, timeout=0.1) as client,
            pytest.raises(httpx.ReadTimeout),
        ):
            client.get(COMPLETIONS, params={"start_time": WED})
        with httpx.Client(base_url=server.base_url, headers=AUTH, timeout=2) as client:
            assert client.get(COMPLETIONS, params={"start_time": WED}).status_code == 200


def test_server_truncated_body_is_short_but_well_framed() -> None:
    with (
        FakeServer(FakeAPI(faults=Faults(rate_truncated=1.0))) as server,
        httpx.Client(base_url=server.base_url, headers=AUTH) as client,
    ):
        resp = client.get(COMPLETIONS, params={"start_time": WED})
    assert resp.status_code == 200
    assert resp.content.startswith(b'{"object":"page"')
    assert not resp.content.endswith(b"}")
