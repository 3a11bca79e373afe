"""The README's Python snippets run, against the offline fake served on loopback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from openai_usage_client import UsageClient
from openai_usage_client.testing import DEFAULT_ADMIN_KEY, FakeAPI, FakeServer

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_has_the_sections_in_order() -> None:
    text = README.read_text()
    headings = re.findall(r"^## (.+)$", text, flags=re.M)
    wanted = [
        "Install",
        "Usage",
        "Async",
        "Pagination",
        "Handling errors",
        "Retries",
        "Timeouts",
        "Export",
        "CLI",
    ]
    assert [h for h in headings if h in wanted] == wanted


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_snippet_runs(
    index: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeServer(FakeAPI(seed=0), port=0) as server:
        monkeypatch.setenv("OPENAI_ADMIN_KEY", DEFAULT_ADMIN_KEY)
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.delenv("OPENAI_ORG_ID", raising=False)
        namespace: dict[str, object] = {"__name__": "readme"}
        exec(compile(BLOCKS[index], f"README.md block {index}", "exec"), namespace)
        client = namespace.get("client")
        if isinstance(client, UsageClient):
            client.close()
    assert "Traceback" not in capsys.readouterr().err
