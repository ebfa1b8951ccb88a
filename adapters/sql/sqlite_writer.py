"""One writer at a time per SQLite file in this process, for every path that writes it.

SQLite lets one connection write at a time and makes the others wait in its busy
handler, which sleeps and polls (up to 100 ms a try). The library's pool lets one of
its own connections write at a time; the views, the idempotency keys, the work claims
and the other stores write through ``SQLiteDatabase``'s connections. Left to SQLite's
polling, a burst of 400 creates (each a claim, an insert and the views' update) went
at about 3 a second; queued on one lock, the next writer starts as the last commits.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# How long a write on SQLite waits its turn (this lock, then SQLite's file lock for
# another process's writers): a request's budget, as long as a test-clock advance may
# take to settle (README).
SQLITE_WRITE_WAIT_S = 110

_guard = threading.Lock()
_writers: dict[str, threading.RLock] = {}


def writer_lock(path: str) -> threading.RLock:
    """The lock every writer of the SQLite file at ``path`` takes in this process."""
    key = os.path.realpath(path)
    with _guard:
        return _writers.setdefault(key, threading.RLock())


@contextmanager
def writing(path: str, timeout_s: float) -> Iterator[None]:
    """Hold ``path``'s writer lock; ``sqlite3.OperationalError`` (503 ``busy``) after
    ``timeout_s`` seconds of waiting. Re-entrant within a thread."""
    lock = writer_lock(path)
    if not lock.acquire(timeout=timeout_s):
        raise sqlite3.OperationalError(f"timed out after {timeout_s:g} s waiting to write")
    try:
        yield
    finally:
        lock.release()
