"""The parse-time pause of the garbage collector is counted and restores what it found."""

from __future__ import annotations

import gc
import threading

from openai_usage_client._gcpause import gc_paused


def test_nested_and_threaded_pauses_restore_the_collector() -> None:
    assert gc.isenabled()
    inside = threading.Event()
    release = threading.Event()
    seen: list[bool] = []

    def other() -> None:
        with gc_paused:
            inside.set()
            release.wait(5)
        seen.append(gc.isenabled())

    thread = threading.Thread(target=other)
    with gc_paused:
        thread.start()
        inside.wait(5)
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other thread is still parsing
    release.set()
    thread.join(5)
    assert seen == [True]
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled() -> None:
    gc.disable()
    try:
        with gc_paused:
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_error_while_parsing_still_restores() -> None:
    try:
        with gc_paused:
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert gc.isenabled()
