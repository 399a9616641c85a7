"""Pausing Python's cyclic garbage collector while a large prompt is analysed."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0
_was_enabled = True


@contextmanager
def collection_paused() -> Iterator[None]:
    """The collector off for the duration, however many threads ask at once; afterwards as it
    was before the first of them.

    An analysis makes tens of thousands of small objects that all live on in its result, and
    no reference cycles: the collector's passes over them (17 while a 200k-token prompt is
    analysed, 1.3 ms) free nothing. Its work resumes afterwards, at the next allocation. The
    pause is process-wide; analyses last milliseconds, so it is short.
    """
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()


def keep_out_of_collections() -> None:
    """Move every object alive now out of the collector's reach (`gc.freeze`).

    The analyses kept for open documents are long-lived and hold no reference cycles, yet
    each full collection walks all of them: with three 1 MB prompts open, the deferred pass
    after their analyses took 420 ms, in the middle of the next document's open. Frozen
    objects are still freed by reference counting when a newer analysis replaces them; only
    cyclic garbage among them waits, until `back_into_collections` (when the last document
    closes).
    """
    gc.freeze()


def back_into_collections() -> None:
    """Hand frozen objects back to the collector: any cycles among them go with the next full
    collection."""
    gc.unfreeze()
