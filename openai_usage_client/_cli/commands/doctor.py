"""``openai-usage doctor``: check the setup, one line per check, with the fix when it fails.

Checks, in order: the key is set and looks like an admin key; the base URL is HTTPS (or
loopback); the API answers; a small usage call; a costs call; the directory can be read; the
spend limit can be read; the clock agrees with the server's ``Date`` header within a minute.
Once the API cannot be reached or refuses the key, the checks after it are skipped (they
would fail the same way). The key itself is never printed.

Exit status: 0 when every check passes, 3 when any failure is about the key (missing, not an
admin key, refused, lacking a permission), else 5 (base URL, network, server, clock).
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Final, Literal

import click

from .._errors import code_of
from .._help import COMMAND_EPILOG
from .._state import state_of

if TYPE_CHECKING:
    import httpx

    from ..._client import UsageClient
    from .._state import State

__all__ = ["commands", "doctor"]

DEFAULT_BASE_URL: Final = "https://api.openai.com/v1"
MAX_SKEW: Final = 60.0
#: Sent by ``openai-usage fake-server`` while its clock is fixed (``--now``), with the time.
FAKE_CLOCK_HEADER: Final = "x-fake-clock-fixed"
#: Exit codes from the one table: a key problem exits as a refused key would, a network
#: problem as a connection error.
KEY_PROBLEM: Final = code_of("AuthenticationError")
NETWORK_PROBLEM: Final = code_of("APIConnectionError")
_FIX_KEY: Final = (
    "create an admin key (sk-admin-...) at https://platform.openai.com/settings/organization/"
    "admin-keys and export it as OPENAI_ADMIN_KEY"
)

Status = Literal["ok", "FAIL", "skip"]


@dataclass
class Check:
    name: str
    status: Status
    detail: str
    fix: str = ""
    #: KEY_PROBLEM or NETWORK_PROBLEM when failed.
    kind: int = 0

    def line(self) -> str:
        text = f"[{self.status:>4}] {self.name}: {self.detail}"
        return text + (f" -> fix: {self.fix}" if self.fix else "")


class Stop(Exception):
    """A failed check after which the others cannot run."""


def _key_check(state: State) -> tuple[Check, str | None]:
    if state.fake:
        return Check("admin key", "ok", "the offline fake's key (--fake)"), "fake"
    key = os.environ.get("OPENAI_ADMIN_KEY", "")
    if not key.strip():
        return Check("admin key", "FAIL", "OPENAI_ADMIN_KEY is not set", _FIX_KEY, 3), None
    if not key.startswith("sk-admin-"):
        kind = "a project key" if key.startswith("sk-proj-") else "not an admin key"
        detail = f"OPENAI_ADMIN_KEY is set but looks like {kind} (it does not start sk-admin-)"
        return Check("admin key", "FAIL", detail, _FIX_KEY, KEY_PROBLEM), key
    return Check("admin key", "ok", "OPENAI_ADMIN_KEY is set and starts sk-admin-"), key


def _base_url_check(state: State) -> tuple[Check, str]:
    from ..._client import UsageClient
    from ..._core._exceptions import InsecureBaseURLError, InvalidParameterError

    url = (state.base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
    fix = (
        f"use {DEFAULT_BASE_URL} (unset OPENAI_BASE_URL and --base-url), or http:// only to "
        "a loopback host"
    )
    try:
        # The client's own rules (no request is sent; the key is a placeholder).
        UsageClient("doctor-probe", base_url=url).close()
    except InsecureBaseURLError:
        detail = f"{url} is not HTTPS: the key would travel in clear text"
        return Check("base URL", "FAIL", detail, fix, NETWORK_PROBLEM), url
    except InvalidParameterError:
        return Check("base URL", "FAIL", f"{url!r} is not an http(s) URL", fix, 5), url
    return Check("base URL", "ok", url), url


def _api_failure(name: str, error: Exception, base_url: str) -> Check:
    from ..._core import _exceptions as exc

    if isinstance(error, exc.AuthenticationError):
        return Check(name, "FAIL", "the key was refused (HTTP 401)", _FIX_KEY, KEY_PROBLEM)
    if isinstance(error, exc.PermissionDeniedError):
        return _refused(name, error)
    if isinstance(error, exc.NotFoundError):
        detail = f"HTTP 404 from {base_url}: it does not serve OpenAI's admin API"
        return Check(name, "FAIL", detail, f"use {DEFAULT_BASE_URL}", NETWORK_PROBLEM)
    if isinstance(error, exc.APIConnectionError):
        detail = f"no answer from {base_url} ({error.message})"
        fix = "check the network, proxy settings (HTTPS_PROXY) and --base-url/OPENAI_BASE_URL"
        return Check(name, "FAIL", detail, fix, NETWORK_PROBLEM)
    message = " ".join(str(error).split())[:160]
    fix = "retry later; see https://status.openai.com"
    return Check(name, "FAIL", message, fix, NETWORK_PROBLEM)


#: The scopes a 403 names ("... Missing scopes: api.usage.read.").
_SCOPES: Final = re.compile(r"Missing scopes?: ([\w.]+(?:,\s*[\w.]+)*)")


def _refused(name: str, error: Any, what: str = "") -> Check:
    """A 403: the scope the server says is missing, and how to get it (never "retry")."""
    said = " ".join(str(getattr(error, "api_message", None) or "").split())
    found = _SCOPES.search(said)
    if found:
        scopes = found.group(1).rstrip(".")
        detail = f"HTTP 403: the key lacks {scopes}{what}"
        fix = (f"use an admin key (sk-admin-...) with {scopes}, from "
               "https://platform.openai.com/settings/organization/admin-keys")  # fmt: skip
    else:
        detail = f"HTTP 403: this key may not do this (a project or restricted key?){what}"
        fix = "use an admin key (sk-admin-...) with read access to usage, projects and users"
    return Check(name, "FAIL", detail, fix, KEY_PROBLEM)


def _skew_check(date: str | None) -> Check:
    if not date:
        return Check("clock", "ok", "not checked: the server sent no Date header")
    try:
        server = parsedate_to_datetime(date).timestamp()
    except (TypeError, ValueError):
        return Check("clock", "ok", f"not checked: unreadable Date header {date!r}")
    # Date has whole seconds: allow the one second it may lag.
    skew = time.time() - server
    if abs(skew) > MAX_SKEW + 1:
        detail = f"this machine's clock is {skew:+.0f} s off the server's"
        fix = "sync the clock (NTP): relative times like --start 7d depend on it"
        return Check("clock", "FAIL", detail, fix, NETWORK_PROBLEM)
    return Check("clock", "ok", f"within {MAX_SKEW:.0f} s of the server's ({skew:+.0f} s)")


def _api_checks(
    client: UsageClient, base_url: str, now: int, emit: Callable[[Check], None]
) -> None:
    import httpx

    from ..._core import _exceptions as exc

    day = now - now % 86_400 - 86_400
    date: str | None = None
    fixed: str | None = None  # a fake server whose clock stands still

    def run(name: str, call: Callable[[], str | Check], stop_on_failure: bool = True) -> None:
        try:
            detail = call()
        except exc.OpenAIUsageError as error:
            emit(_api_failure(name, error, base_url))
            if stop_on_failure or isinstance(error, exc.APIConnectionError):
                raise Stop from None
            return
        emit(detail if isinstance(detail, Check) else Check(name, "ok", detail))

    def answers() -> str | Check:
        nonlocal date, day, fixed
        try:
            # No time in it: the server's clock (Date) is read first, and the usage and
            # costs calls ask for the server's yesterday, not this machine's.
            response: httpx.Response = client.get(
                "/organization/projects", params={"limit": 1}, cast_to=httpx.Response
            )
        except exc.PermissionDeniedError as error:
            # It answered, refusing this key the projects: not "ok", and the scope it lacks
            # is named; the next checks say what else the key may do.
            refused: Check | None = _refused("API answers", error, f" ({base_url} answered)")
            response = error.response
        else:
            refused = None
        date = response.headers.get("date")
        fixed = response.headers.get(FAKE_CLOCK_HEADER)
        with contextlib.suppress(TypeError, ValueError):
            server = int(parsedate_to_datetime(date or "").timestamp())
            day = server - server % 86_400 - 86_400
        return refused or f"{base_url} answered (HTTP {response.status_code})"

    def usage() -> str:
        page = next(iter(client.usage.completions(start_time=day, limit=1).pages()))
        return f"completions usage read ({len(page.data)} bucket)"

    def costs() -> str:
        page = next(iter(client.costs(start_time=day, limit=1).pages()))
        return f"costs read ({len(page.data)} bucket)"

    def directory() -> str:
        page = next(iter(client.projects.list(limit=1).pages()))
        return "projects can be listed" + (" (none yet)" if not page.data else "")

    def spend_limit() -> str:
        try:
            limit = client.spend_limit.retrieve()
        except exc.NotFoundError:
            return "no spend limit is set"
        return f"${limit.threshold_usd:,.2f} per {limit.interval} ({limit.enforcement.status})"

    run("API answers", answers)
    run("usage", usage)
    run("costs", costs)
    run("directory", directory, stop_on_failure=False)
    run("spend limit", spend_limit, stop_on_failure=False)
    if fixed is not None:  # a rehearsal: its clock is meant to differ from this machine's
        emit(Check("clock", "ok", f"a fake server whose clock is fixed at {fixed}"))
    else:
        emit(_skew_check(date))


@click.command("doctor", epilog=COMMAND_EPILOG)
@click.pass_context
def doctor(ctx: click.Context) -> int:
    """Check the key, the base URL, the network, usage, costs, names, spend limit and clock.

    One line per check, with the fix when it fails; the key is never printed. Exit status 0
    when every check passes, 3 for a key problem, 5 for a network, server or clock problem.
    """
    state = state_of(ctx)
    checks: list[Check] = []

    def emit(check: Check) -> None:
        checks.append(check)
        click.echo(check.line())

    key_check, key = _key_check(state)
    emit(key_check)
    url_check, base_url = _base_url_check(state)
    emit(url_check)
    if key is not None and url_check.status == "ok":
        client = state.client().with_options(max_retries=0, timeout=15.0)
        with contextlib.suppress(Stop):
            _api_checks(client, base_url, int(state.now().timestamp()), emit)
    failed = [c for c in checks if c.status == "FAIL"]
    if not failed:
        click.echo("all checks passed")
        return 0
    code = KEY_PROBLEM if any(c.kind == KEY_PROBLEM for c in failed) else NETWORK_PROBLEM
    click.echo(f"{len(failed)} check{'s' if len(failed) > 1 else ''} failed")
    return code


def commands() -> list[click.Command]:
    return [doctor]
