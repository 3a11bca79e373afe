"""P1 parse: one page of 31 buckets x 500 results, completions and costs.

Ours (``Page.model_validate_json(bytes)``, what the client does) against ``json.loads`` of the
same bytes, the official ``openai`` SDK's models (``json.loads`` then ``construct_type``, what
the SDK does by default; ``validate_type`` under ``_strict_response_validation``) and the
stock ``openapi-python-client`` attrs output (``UsageResponse.from_dict(json.loads(bytes))``).
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from bench._common import ROOT, Row, Section, interleaved, profile_text
from bench._payloads import page_bytes

GOAL = 1.5
Parser = Callable[[bytes], Any]


@contextlib.contextmanager
def stock_models() -> Iterator[Any]:
    """Generate the spec with the generator's own templates; yield its ``UsageResponse``."""
    tool = Path(sys.executable).parent / "openapi-python-client"
    with tempfile.TemporaryDirectory(prefix="bench-stock-") as tmp:
        env = dict(os.environ)
        env["PATH"] = str(tool.parent) + os.pathsep + env.get("PATH", "")
        proc = subprocess.run(
            [
                str(tool),
                "generate",
                "--path",
                str(ROOT / "openapi.yaml"),
                "--meta",
                "none",
                "--output-path",
                str(Path(tmp) / "stock"),
            ],
            cwd=tmp,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"openapi-python-client failed: {proc.stderr[-1000:]}")
        sys.path.insert(0, tmp)
        try:
            module = importlib.import_module("stock.models.usage_response")
            assert str(module.__file__).startswith(tmp)
            yield module.UsageResponse
        finally:
            sys.path.remove(tmp)
            for name in [n for n in sys.modules if n == "stock" or n.startswith("stock.")]:
                del sys.modules[name]


def _sdk_parsers(kind: str) -> tuple[Parser, Parser] | None:
    """The official SDK's two parse paths, or None when ``openai`` is not installed (the
    peer rows are then skipped with a note; ours are still measured)."""
    try:
        from openai._models import construct_type, validate_type
    except ImportError:
        return None
    from openai.types.admin.organization.usage_completions_response import (
        UsageCompletionsResponse,
    )
    from openai.types.admin.organization.usage_costs_response import UsageCostsResponse

    model: type[Any] = UsageCompletionsResponse if kind == "completions" else UsageCostsResponse

    def default(raw: bytes) -> Any:
        # APIResponse._parse: response.json() (stdlib json), then _process_response_data.
        return construct_type(type_=model, value=json.loads(raw))

    def strict(raw: bytes) -> Any:
        return validate_type(type_=model, value=json.loads(raw))

    return default, strict


def _checksum(page: Any) -> tuple[int, int]:
    """(results, sum of an integer field) of a parsed page, whatever its representation."""
    data = page["data"] if isinstance(page, dict) else page.data
    count = total = 0
    for bucket in data:
        results = bucket["results"] if isinstance(bucket, dict) else bucket.results
        for r in results:
            count += 1
            if isinstance(r, dict):
                total += int(r.get("input_tokens") or r.get("quantity") or 0)
            else:
                total += int(getattr(r, "input_tokens", None) or getattr(r, "quantity", 0) or 0)
    return count, total


def run(rounds: int) -> Section:
    from openai_usage_client._core._models import Page

    section = Section(
        "P1",
        "parse one page",
        "31 daily buckets x 500 results per page (synthesized, fake's field layout; costs with "
        "money as JSON numbers and ~30% strings); median of interleaved rounds.",
        reproduce="python -m bench P1",
    )
    misses: list[tuple[str, bytes]] = []
    with stock_models() as stock:
        for kind in ("completions", "costs"):
            raw = page_bytes(kind)
            sdk = _sdk_parsers(kind)
            parsers: dict[str, Parser] = {
                "json.loads": json.loads,
                "ours": Page.model_validate_json,
                "stock": lambda raw: stock.from_dict(json.loads(raw)),
            }
            if sdk is not None:
                parsers["sdk"], parsers["sdk strict"] = sdk
            elif kind == "completions":
                section.notes.append(
                    "openai is not installed: the openai SDK rows are skipped "
                    "(pip install 'openai-usage-client[bench]' or make install)"
                )
            truth = _checksum(json.loads(raw))
            for name, parse in parsers.items():
                got = _checksum(parse(raw))
                if got != truth:
                    section.notes.append(f"{kind}: {name} parsed {got}, expected {truth}: VOID")
            t = interleaved({n: partial(p, raw) for n, p in parsers.items()}, rounds)
            base = t["json.loads"]
            paused = interleaved(
                {n: partial(_gc_paused, partial(parsers[n], raw)) for n in ("json.loads", "ours")},
                rounds,
            )
            # The library used to pause the process-wide cyclic GC around the parse; it no
            # longer touches the collector (issue 11). Both ways are measured in one run,
            # the paused one with its deferred young collection counted, to show what that
            # pause bought.
            client = interleaved(
                {
                    "json.loads": partial(json.loads, raw),
                    "ours": partial(_client_parse, raw),
                    "json.loads paused": partial(
                        _then_young_collection, partial(_gc_paused, partial(json.loads, raw))
                    ),
                    "ours paused": partial(
                        _then_young_collection, partial(_gc_paused, partial(_client_parse, raw))
                    ),
                },
                rounds,
            )
            mb = len(raw) / 2**20
            section.rows += [
                Row(f"{kind}: ours as the client parses (GC left on)",
                    client["ours"], "json.loads", client["json.loads"],
                    f"<= {GOAL}x", client["ours"] <= GOAL * client["json.loads"]),
                Row(f"{kind}: ours with the GC paused during the parse (no longer done; "
                    "deferred collection counted)", client["ours paused"],
                    "json.loads, same pause and collection", client["json.loads paused"],
                    "-", None),
                Row(f"{kind}: ours, GC left on vs paused", client["ours"],
                    "ours, GC paused", client["ours paused"], "-", None),
                Row(f"{kind}: ours, bare model_validate_json", t["ours"], "json.loads", base,
                    "-", None),
                Row(f"{kind}: ours, cyclic GC paused during the call", paused["ours"],
                    "json.loads, GC paused", paused["json.loads"], "-", None),
                Row(f"{kind}: stock generator attrs (from_dict)", t["stock"], "json.loads", base,
                    "-", None),
                Row(f"{kind}: ours", t["ours"], "stock generator attrs", t["stock"], "-", None,
                    kind="speedup"),
            ]  # fmt: skip
            if sdk is not None:
                section.rows += [
                    Row(f"{kind}: openai SDK (construct_type)", t["sdk"], "json.loads", base,
                        "-", None),
                    Row(f"{kind}: openai SDK strict (validate_type)", t["sdk strict"],
                        "json.loads", base, "-", None),
                    Row(f"{kind}: ours", t["ours"], "openai SDK (construct_type)", t["sdk"], "-",
                        None, kind="speedup"),
                ]  # fmt: skip
            section.notes.append(f"{kind} page: {mb:.1f} MiB, {truth[0]} results")
            if client["ours"] > GOAL * client["json.loads"]:
                misses.append((kind, raw))
    if misses:
        section.profile = _diagnose(misses, rounds)
    return section


def _diagnose(misses: list[tuple[str, bytes]], rounds: int) -> str:
    """What the gap to ``json.loads`` is made of: the cyclic GC, and the model instances."""
    from pydantic import TypeAdapter

    from openai_usage_client._core._models import Page

    floor = TypeAdapter(dict[str, Any])
    lines = []
    for kind, raw in misses:
        fns: dict[str, Callable[[], object]] = {
            "json.loads": partial(json.loads, raw),
            "ours": partial(Page.model_validate_json, raw),
            "python mode": partial(_python_mode, raw),
            "dicts": partial(floor.validate_json, raw),
        }
        on = interleaved(fns, rounds)
        off = interleaved({n: partial(_gc_paused, f) for n, f in fns.items()}, rounds)
        lines.append(
            f"{kind}, ratios to json.loads with the cyclic GC on / paused during the call "
            "(gc.disable(), as timeit does):"
        )
        for name in fns:
            lines.append(
                f"  {name:<22} {on[name] / on['json.loads']:5.2f}x / "
                f"{off[name] / off['json.loads']:5.2f}x"
            )
        ours_gc, loads_gc = _collections(fns["ours"]), _collections(fns["json.loads"])
        lines.append(f"  GC collections during one call: ours {ours_gc}, json.loads {loads_gc}")
    kind, raw = misses[0]
    lines.append(f"cProfile of Page.model_validate_json ({kind} page):")
    lines.append(profile_text(lambda: Page.model_validate_json(raw), top=6))
    lines.append(
        "Reading: 'dicts' is pydantic-core parsing the same bytes into plain dicts (the floor "
        "of any validate_json); 'python mode' is json.loads + model_validate. Every "
        "result becomes a model instance with a __dict__, a __pydantic_extra__ dict "
        "(extra='allow') and a __pydantic_fields_set__ set: several GC-tracked objects where "
        "json.loads makes one dict, so the allocation-driven cyclic GC runs several times as "
        "often and traverses a growing heap; with the GC paused, what remains is the cost of "
        "the instances themselves (two per costs result, plus a Decimal)."
    )
    return "\n".join(lines)


def _client_parse(raw: bytes) -> object:
    """What ``_base.parse_page`` does: validate the bytes (the cyclic GC is left alone)."""
    from openai_usage_client._core._models import Page

    return Page.model_validate_json(raw)


def _then_young_collection(fn: Callable[[], object]) -> object:
    """``fn()`` then the young-generation collection its allocations call for.

    Pausing the GC does not make the collection free, it defers it: counting it on both
    sides keeps the comparison honest.
    """
    result = fn()
    gc.collect(0)
    return result


def _gc_paused(fn: Callable[[], object]) -> object:
    enabled = gc.isenabled()
    gc.disable()
    try:
        return fn()
    finally:
        if enabled:
            gc.enable()


def _collections(fn: Callable[[], object]) -> str:
    """How many collections of each generation the GC ran during ``fn()``."""
    counts = [0, 0, 0]

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            counts[info["generation"]] += 1

    gc.collect()
    gc.callbacks.append(callback)
    try:
        fn()
    finally:
        gc.callbacks.remove(callback)
    return f"{sum(counts)} (gen0 {counts[0]}, gen1 {counts[1]}, gen2 {counts[2]})"


def _python_mode(raw: bytes) -> object:
    from openai_usage_client._core._models import Page

    return Page.model_validate(json.loads(raw))


def _iter_results(raw: bytes) -> Iterator[object]:
    for bucket in json.loads(raw)["data"]:
        yield from bucket["results"]
