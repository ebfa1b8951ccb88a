"""Background work in this process: the process manager's periodic sweep, and settling."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime

from application.backoff import Backoff
from application.clock import SettableClock
from application.lists import CustomerLists, DueWork
from application.process_manager import ProcessManager

log = logging.getLogger(__name__)

SWEEP_INTERVAL_S = 0.25
CHORES_EVERY_S = 2.0
STUCK_S = 8.0  # the views failing this long on one event: settling gives up
FAILED_SWEEP_LONGEST_S = 2.0  # the longest pause after failed sweeps, as the follower's


class Sweeper:
    """Runs ``ProcessManager.sweep`` every ``interval`` seconds in a daemon thread; after
    sweeps that failed in a row, the pause doubles, up to ``FAILED_SWEEP_LONGEST_S``."""

    def __init__(
        self,
        manager: ProcessManager,
        chores: Sequence[Callable[[], object]] = (),
        interval: float = SWEEP_INTERVAL_S,
    ) -> None:
        self.manager = manager
        self.chores = list(chores)
        self.interval = interval
        self.backoff = Backoff(first=interval, longest=max(interval, FAILED_SWEEP_LONGEST_S))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sweeper", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        next_chores = 0.0
        failures = 0
        while not self._stop.is_set():
            try:
                report = self.manager.sweep()
                if time.monotonic() >= next_chores:
                    for chore in self.chores:
                        chore()
                    next_chores = time.monotonic() + CHORES_EVERY_S
                self.last_error = None
                failures = 0
            except Exception as error:  # keep sweeping: the next attempt may succeed
                log.exception("sweep failed")
                self.last_error = str(error)
                failures += 1
                self._stop.wait(self.backoff.pause(failures))
                continue
            if report.handled == 0:
                self._stop.wait(self.interval)


def advance_through_deadlines(
    clock: SettableClock, due_work: DueWork, settle: Callable[[], bool], to: datetime
) -> bool:
    """Move ``clock`` forward to ``to`` as time itself would pass: it stops at each
    instant a deadline falls due on the way, in order, and settles there, so each is
    processed at its own instant (a notice before the trial end it announces) and one
    long advance leaves the history and the inbox that many short ones would.

    Returns False, with the clock at the instant where it stopped, if what fell due
    there was not all done in time (``settle`` said so)."""
    while True:
        settled_at = clock.now()
        if not settle():
            return False
        if clock.now() != settled_at:
            # Another process moved the clock while this one settled: what fell due at
            # the new instant is not settled yet, and jumping past it would skip it.
            continue
        if settled_at >= to:
            return True
        clock.advance_to(due_work.next_due(settled_at, to) or to)


def settle(
    lists: CustomerLists,
    manager: ProcessManager,
    timeout: float = 60.0,
    advancing: Callable[[], bool] = lambda: True,
) -> bool:
    """Process everything due up to the clock's now, and let the views catch up.

    Returns False if that did not finish within ``timeout`` seconds (for example
    while the mail server refuses mail), or once ``advancing`` has said for ``STUCK_S``
    that the views cannot go on (an event they cannot apply: waiting longer would change
    nothing; a failure the follower's retry clears does not end the wait).
    """
    give_up = time.monotonic() + timeout
    stuck_since: float | None = None
    while time.monotonic() < give_up:
        if not advancing():
            # A retried failure (a deadlock, a lost connection) clears on the follower's
            # next attempt; one that stays for STUCK_S is an event the views cannot take.
            stuck_since = stuck_since or time.monotonic()
            if time.monotonic() - stuck_since >= STUCK_S:
                return False
            time.sleep(0.1)
            continue
        stuck_since = None
        # in steps of a second at most, so a follower that stops is noticed
        remaining = min(1.0, max(0.1, give_up - time.monotonic()))
        if not lists.wait_until_current(timeout=remaining):
            continue
        report = manager.sweep()
        if report.done:
            continue
        if not manager.due_work.outstanding(manager.clock.now()):  # but for the set aside
            return True
        time.sleep(0.05)  # claimed elsewhere, backing off, or the views are behind
    return False
