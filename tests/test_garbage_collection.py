"""The collector is paused while prompts are analysed, and always comes back."""

from __future__ import annotations

import gc

import pytest

from server.core.garbage_collection import collection_paused


def test_the_collector_is_off_inside_and_back_after() -> None:
    with collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_stays_off_until_every_pause_ends() -> None:
    """Two documents analysed at once: the first to finish does not turn it back on."""
    first, second = collection_paused(), collection_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_the_collector_comes_back_after_a_failed_analysis() -> None:
    with pytest.raises(RuntimeError), collection_paused():
        raise RuntimeError("parser bug")
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
