"""Help text shared by the group and every command."""

from __future__ import annotations

from typing import Final

__all__ = ["COMMAND_EPILOG", "EXIT_CODES_HELP", "GLOBAL_OPTIONS_NOTE"]

EXIT_CODES_HELP: Final = (
    "\b\nExit codes:\n"
    "  0  success\n"
    "  1  unexpected error (run with --debug for the traceback)\n"
    "  2  bad input: usage errors, invalid parameters or times, a missing extra, HTTP 400/422\n"
    "  3  authentication: no OPENAI_ADMIN_KEY, key refused (401) or not an admin key (403)\n"
    "  4  rate limited (429) after every retry\n"
    "  5  server or network error (5xx, other HTTP errors, connection failures, timeouts)\n"
    "  6  malformed response (invalid body, repeated pagination cursor, a bucket outside\n"
    "     the asked period)\n"
    "  7  check: a budget is over, or forecast to be over, this month\n"
    "  8  sync/export: another sync holds the store (waited --lock-timeout seconds)\n"
    "  9  incomplete answer: check found a budget 'unknown' (the store lacks days of the\n"
    "     month, or its last sync is older than --max-age) and none over\n"
    "  10 store problem: damaged, not a store of this tool, a newer schema, or a first\n"
    "     sync that stopped before it stored anything\n"
    "  143 sync: stopped by SIGTERM (what it stored is kept; run it again to resume)"
)

GLOBAL_OPTIONS_NOTE: Final = (
    "Global options (--fake, --fake-now, --fake-discrepancies, --fake-size, --base-url, "
    "--timeout, --max-retries, -v, --debug, --raw-csv) "
    "may also come after the command: see 'openai-usage --help'."
)

#: The epilog of every command: where the global options are, then the exit codes.
COMMAND_EPILOG: Final = f"{GLOBAL_OPTIONS_NOTE}\n\n{EXIT_CODES_HELP}"
