"""The catch-up follower: reads the notification log from the stored positions and
applies each batch to the views in one transaction with the new positions.

It reads the database, never in-process hooks, so it follows writes from any process.
On PostgreSQL it wakes early on the library's NOTIFY channel; everywhere it also polls,
so a lost notification costs at most one poll interval. Event ids commit in id order
(PostgreSQL writers hold ``LOCK TABLE ... IN EXCLUSIVE MODE`` while they take ids and
until they commit; SQLite has one writer at a time), so once an id is visible every
lower id is visible or gone for good (a rolled-back insert): the follower reads
``id > position`` and never waits on a gap.

One piece (~250 lines): reading, waiting and the thread that runs them
share one position and one lock; a batch's transaction is in projections/batch.py, the
views' logic in their projections.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Sequence
from typing import Any, Protocol, cast
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Mapper, Notification

from application.backoff import Backoff
from domain.aggregate import DomainEvent
from projections import positions
from projections.batch import apply_batch
from projections.failures import ProjectionFailed, log_failure
from projections.projection import Projection
from projections.sql import Database, Listener

log = logging.getLogger(__name__)

BACKOFF = Backoff(first=0.1, longest=2.0)  # after a failure to read or apply events


class Observer(Protocol):
    """Something that must hear of every event, in order (e.g. a cache to invalidate)."""

    def observe(self, events: Sequence[DomainEvent]) -> None: ...

    def lost_track(self) -> None:
        """Events went by unread (another process projected them): forget everything."""


class Follower:
    def __init__(  # noqa: PLR0913
        self,
        recorder: ApplicationRecorder,
        mapper: Mapper[UUID],
        db: Database,
        projections: Sequence[Projection[Any]],
        *,
        batch_size: int = 500,
        poll_interval: float = 0.05,
        listen_interval: float = 0.5,
    ) -> None:
        self.recorder = recorder
        self.mapper = mapper
        self.db = db
        self.projections = list(projections)
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.listen_interval = listen_interval
        self.channel: str | None = getattr(recorder, "channel_name", None)
        # Why the views cannot advance now (None: they can), and how often they could not.
        self.last_error: Exception | None = None
        self.failures = 0
        self._suspect_until = 0  # up to this position, events are applied one at a time
        self._positions = {p.name: 0 for p in self.projections}
        self._changed = threading.Condition()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.observers: list[Observer] = []
        # Coroutines waiting for the position to move (``passes``), woken on their loops.
        self._waiting: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []

    @property
    def position(self) -> int:
        """The lowest position of the projections, as last seen by this follower."""
        with self._changed:
            return min(self._positions.values())

    @property
    def advancing(self) -> bool:
        """Whether the last attempt to apply events succeeded (readiness)."""
        return self.last_error is None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def refresh(self) -> None:
        before = self.position
        stored = positions.stored(self.db, self._positions)
        if min(stored.values()) > before:
            for observer in self.observers:
                observer.lost_track()
        self._publish(stored)

    def step(self) -> int:
        """Apply the next batch; the number of notifications read (0: none new).

        When a batch fails, the events up to its end are applied one at a time, so
        the failure that remains names the one event the views cannot take.
        """
        start = self.position
        size = 1 if start < self._suspect_until else self.batch_size
        batch = self.recorder.select_notifications(start, size, inclusive_of_start=False)
        if not batch:
            return 0
        try:
            self._apply(start, batch)
        except Exception as error:
            if len(batch) > 1:
                self._suspect_until = batch[-1].id
                return self.step()
            raise ProjectionFailed(batch[0].id, batch[0].topic, error) from error
        return len(batch)

    def _apply(self, start: int, batch: Sequence[Notification]) -> None:
        decoded: list[tuple[int, DomainEvent]] = [
            (n.id, cast(DomainEvent, self.mapper.to_domain_event(n))) for n in batch
        ]
        last = batch[-1].id
        for observer in self.observers:
            observer.observe([e for _, e in decoded])
        with self._changed:
            seen = dict(self._positions)
        stored = apply_batch(self.db, self.projections, seen, start, decoded)
        for projection in self.projections:
            projection.committed()
        if min(stored.values()) > last:
            for observer in self.observers:
                observer.lost_track()
        self._publish(stored)

    def catch_up(self, timeout: float | None = None) -> bool:
        """Apply batches until none is left (True) or ``timeout`` seconds pass (False)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.step():
            if deadline is not None and time.monotonic() >= deadline:
                return False
        return True

    def wait_for(self, position: int, timeout: float) -> bool:
        self._wake.set()
        with self._changed:
            return self._changed.wait_for(lambda: self._min() >= position, timeout)

    async def passes(self, position: int, timeout: float) -> bool:
        """Wait until the views are past ``position`` (True) or ``timeout`` seconds pass
        (False), on the event loop: no thread is held, none polls; each batch the
        follower applies wakes the waiters."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            with self._changed:
                if self._min() > position:
                    return True
                moved: asyncio.Future[None] = loop.create_future()
                self._waiting.append((loop, moved))
            try:
                await asyncio.wait_for(moved, max(0.0, deadline - loop.time()))
            except TimeoutError:
                with self._changed:
                    if (loop, moved) in self._waiting:
                        self._waiting.remove((loop, moved))
                    return self._min() > position

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self.refresh()
        self._thread = threading.Thread(target=self._run, name="projections", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None and self.channel:
            self.db.notify(self.channel)  # ends the thread's wait for a notification now
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    # ----------------------------------------------------------------- loop
    def _run(self) -> None:
        listener: Listener | None = None
        failures = 0
        while not self._stop.is_set():
            try:
                if listener is None and self.channel:
                    listener = self.db.listen(self.channel)
                if self.step():
                    failures = 0
                    self.last_error = None
                    continue
                self._idle(listener)
                self.last_error = None
            except Exception as error:  # keep following; report and back off
                self.report(error)
                failures += 1
                if listener is not None:
                    listener.close()
                    listener = None
                self._stop.wait(BACKOFF.pause(failures))
        if listener is not None:
            listener.close()

    def report(self, error: Exception) -> None:
        """Count and log a failure by position, event type and error class: never the
        error's text, which may quote the event's data (names, emails)."""
        self.last_error = error
        self.failures += 1
        log_failure(log, error, self.position)

    def _idle(self, listener: Listener | None) -> None:
        if listener is None:
            self._wake.wait(self.poll_interval)
        else:
            for _ in listener.notifies(timeout=self.listen_interval, stop_after=1):
                pass
        self._wake.clear()

    def _publish(self, stored: dict[str, int]) -> None:
        with self._changed:
            self._positions.update(stored)
            self._changed.notify_all()
            waiting, self._waiting = self._waiting, []
        for loop, moved in waiting:
            if not loop.is_closed():
                loop.call_soon_threadsafe(_settle, moved)

    def _min(self) -> int:
        return min(self._positions.values())


def _settle(moved: asyncio.Future[None]) -> None:
    if not moved.done():
        moved.set_result(None)
