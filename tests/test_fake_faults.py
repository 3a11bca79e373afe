"""Each fault knob does what it says, repeatably."""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx
import pytest

from openai_usage_client.testing import (
    DEFAULT_ADMIN_KEY,
    UNKNOWN_FIELD,
    UNKNOWN_FIELD_VALUE,
    UNKNOWN_RESULT,
    UNKNOWN_RESULT_OBJECT,
    FakeAPI,
    Faults,
    Persistent,
    RequestInfo,
)

NOW = 1_793_491_200
DAY = 86_400
WED = NOW - 18 * DAY
COMPLETIONS = "/organization/usage/completions"
AUTH = {"Authorization": f"Bearer {DEFAULT_ADMIN_KEY}"}
PARAMS: dict[str, Any] = {"start_time": WED - 14 * DAY, "group_by": ["model"]}


def faulty(**kwargs: Any) -> FakeAPI:
    return FakeAPI(faults=Faults(**kwargs))


def test_429_with_and_without_retry_after() -> None:
    with faulty(rate_429=1.0, retry_after=0).client() as client:
        resp = client.get(COMPLETIONS, params=PARAMS)
    assert resp.status_code == 429
    assert resp.headers["retry-after"] == "0"
    assert resp.json() == {
        "error": {
            "message": "Rate limit reached for requests. Please try again later.",
            "type": "requests",
            "param": None,
            "code": "rate_limit_exceeded",
        }
    }
    with faulty(rate_429=1.0, retry_after=2).client() as client:
        assert client.get(COMPLETIONS, params=PARAMS).headers["retry-after"] == "2"
    with faulty(rate_429_no_retry_after=1.0).client() as client:
        resp = client.get(COMPLETIONS, params=PARAMS)
    assert resp.status_code == 429
    assert "retry-after" not in resp.headers
    assert resp.json()["error"]["code"] == "rate_limit_exceeded"


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors(status: int) -> None:
    with faulty(**{f"rate_{status}": 1.0}).client() as client:
        resp = client.get(COMPLETIONS, params=PARAMS)
    assert resp.status_code == status
    error = resp.json()["error"]
    assert error["type"] == "server_error"
    assert (error["param"], error["code"]) == (None, None)
    assert resp.headers["x-request-id"].startswith("req_")


def test_connection_reset_and_timeout_raise_httpx_errors() -> None:
    with faulty(rate_reset=1.0).client() as client, pytest.raises(httpx.RemoteProtocolError):
        client.get(COMPLETIONS, params=PARAMS)
    with faulty(rate_timeout=1.0).client() as client, pytest.raises(httpx.ReadTimeout):
        client.get(COMPLETIONS, params=PARAMS)


def test_truncated_and_html_bodies() -> None:
    good = FakeAPI().handle("GET", COMPLETIONS, PARAMS, AUTH).body
    with faulty(rate_truncated=1.0).client() as client:
        resp = client.get(COMPLETIONS, params=PARAMS)
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/json"
    assert resp.content == good[: len(good) // 2]
    with pytest.raises(json.JSONDecodeError):
        resp.json()
    with faulty(rate_html=1.0).client() as client:
        resp = client.get(COMPLETIONS, params=PARAMS)
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "text/html"
    assert resp.content.startswith(b"<html>")
    with faulty(rate_html=1.0, html_status=502).client() as client:
        assert client.get(COMPLETIONS, params=PARAMS).status_code == 502


def test_repeated_cursor() -> None:
    with faulty(rate_repeat_cursor=1.0).client() as client:
        first = client.get(COMPLETIONS, params=PARAMS).json()
        assert first["has_more"] is True
        again = client.get(COMPLETIONS, params={**PARAMS, "page": first["next_page"]}).json()
        # The cursor leads back to the same page, which hands out the same cursor again.
        assert again["data"] == first["data"]
        assert again["next_page"] == first["next_page"]


def test_result_instead_of_results_and_sessions_instead_of_num_sessions() -> None:
    fake = faulty(rate_result_key=1.0, rate_sessions_key=1.0)
    with fake.client() as client:
        page = client.get(
            "/organization/usage/code_interpreter_sessions", params={"start_time": WED}
        ).json()
    assert all("result" in b and "results" not in b for b in page["data"])
    rows = [r for b in page["data"] for r in b["result"]]
    assert rows
    assert all("sessions" in r and "num_sessions" not in r for r in rows)
    truth = fake.totals("code_interpreter_sessions", start_time=WED, end_time=WED + 7 * DAY)
    assert sum(r["sessions"] for r in rows) == truth[()]["num_sessions"]


def test_unknown_result_type_and_unknown_fields() -> None:
    fake = faulty(rate_unknown_result=1.0, rate_unknown_field=1.0)
    with fake.client() as client:
        page = client.get(COMPLETIONS, params=PARAMS).json()
        costs = client.get("/organization/costs", params={"start_time": WED}).json()
    for bucket in page["data"] + costs["data"]:
        unknown = [r for r in bucket["results"] if r["object"] == UNKNOWN_RESULT_OBJECT]
        assert unknown == [UNKNOWN_RESULT]
        known = [r for r in bucket["results"] if r["object"] != UNKNOWN_RESULT_OBJECT]
        assert known
        assert all(r[UNKNOWN_FIELD] == UNKNOWN_FIELD_VALUE for r in known)


def test_rates_are_seeded_per_request_and_attempt_not_by_arrival_order() -> None:
    def outcomes(fake: FakeAPI, order: list[int]) -> dict[tuple[int, int], int]:
        seen: dict[tuple[int, int], int] = {}
        for i in order:
            for attempt in (1, 2, 3):
                resp = fake.handle("GET", COMPLETIONS, {"start_time": WED - i * DAY}, AUTH)
                seen[(i, attempt)] = resp.status
        return seen

    faults = Faults(rate_500=0.3, rate_503=0.2)
    forward = outcomes(FakeAPI(faults=faults), list(range(60)))
    backward = outcomes(FakeAPI(faults=faults), list(reversed(range(60))))
    assert forward == backward
    statuses = list(forward.values())
    assert 40 <= statuses.count(200) <= 140
    assert statuses.count(500) > 20
    assert statuses.count(503) > 10
    # Another seed faults other requests.
    assert outcomes(FakeAPI(seed=1, faults=faults), list(range(60))) != forward


def test_concurrent_requests_get_the_same_fates() -> None:
    faults = Faults(rate_500=0.5)
    sequential = FakeAPI(faults=faults)
    expected = {
        i: sequential.handle("GET", COMPLETIONS, {"start_time": WED - i * DAY}, AUTH).status
        for i in range(40)
    }
    concurrent = FakeAPI(faults=faults)
    got: dict[int, int] = {}

    def worker(i: int) -> None:
        got[i] = concurrent.handle("GET", COMPLETIONS, {"start_time": WED - i * DAY}, AUTH).status

    threads = [threading.Thread(target=worker, args=(i,)) for i in reversed(range(40))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == expected


def test_persistent_faults_never_stop() -> None:
    fake = FakeAPI(faults=Faults(persistent=(Persistent(kind="503", after_requests=2),)))
    statuses = [fake.handle("GET", COMPLETIONS, PARAMS, AUTH).status for _ in range(6)]
    assert statuses == [200, 200, 503, 503, 503, 503]

    cutoff = WED - 7 * DAY
    fake = FakeAPI(faults=Faults(persistent=(Persistent(kind="500", from_time=cutoff),)))
    with fake.client() as client:
        first = client.get(COMPLETIONS, params=PARAMS)
        assert first.status_code == 200
        for _ in range(5):
            again = client.get(COMPLETIONS, params={**PARAMS, "page": first.json()["next_page"]})
            assert again.status_code == 500
        # Resuming later from an earlier page still works.
        assert client.get(COMPLETIONS, params=PARAMS).status_code == 200

    fake = FakeAPI(
        faults=Faults(persistent=(Persistent(kind="reset", path="/organization/costs"),))
    )
    with fake.client() as client:
        assert client.get(COMPLETIONS, params=PARAMS).status_code == 200
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/organization/costs", params={"start_time": WED})

    def only_images(info: RequestInfo) -> bool:
        return info.path.endswith("/images") and info.params["start_time"] == (str(WED),)

    fake = FakeAPI(faults=Faults(persistent=(Persistent(kind="429", when=only_images),)))
    for _ in range(3):
        assert (
            fake.handle("GET", "/v1/organization/usage/images", {"start_time": WED}, AUTH).status
            == 429
        )
    assert (
        fake.handle("GET", "/v1/organization/usage/images", {"start_time": WED + 60}, AUTH).status
        == 200
    )


def test_failure_rates_are_validated() -> None:
    with pytest.raises(ValueError, match="more than 1"):
        Faults(rate_500=0.6, rate_503=0.6)
    with pytest.raises(ValueError, match="between 0 and 1"):
        Faults(rate_result_key=1.5)
