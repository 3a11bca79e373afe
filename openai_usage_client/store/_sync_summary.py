"""What a sync did."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["SyncSummary"]


@dataclass
class SyncSummary:
    """The outcome of ``Store.sync``: what was sent, fetched and changed.

    ``requests`` counts the pages fetched (one request each; retries of a request are not
    counted again). ``rows_inserted`` are rows the store did not have, ``rows_revised`` rows
    whose values changed (late-settling costs), ``rows_removed`` rows the API no longer
    returns for a re-fetched bucket. ``directory_changes`` counts directory records added or
    changed (``None`` when the directory was not synced). ``warnings`` are decisions this sync
    made that the user should hear about once (the API refused a default grouping, so a
    fallback was used and remembered); ``notes`` say which grouping was used when it is not
    the plain default (a remembered refusal in effect, a new series after a grouping change).
    """

    requests: int = 0
    buckets_fetched: int = 0
    windows_written: int = 0
    rows_inserted: int = 0
    rows_revised: int = 0
    rows_removed: int = 0
    directory_changes: int | None = None
    #: Per endpoint: how many requests and buckets (for the progress line and the log).
    endpoints: dict[str, tuple[int, int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.rows_inserted or self.rows_revised or self.rows_removed)

    def __str__(self) -> str:
        text = (
            f"{self.requests} request(s), {self.buckets_fetched} bucket(s) fetched in "
            f"{self.windows_written} window(s); rows: {self.rows_inserted} inserted, "
            f"{self.rows_revised} revised, {self.rows_removed} removed"
        )
        if self.directory_changes is not None:
            text += f"; directory: {self.directory_changes} change(s)"
        return text
