"""Background work in this process: the process manager's periodic sweep, and settling."""

from __future__ import annotations

import logging
import threading
import time

from application.lists import CustomerLists
from application.process_manager import ProcessManager, SweepReport

log = logging.getLogger(__name__)

SWEEP_INTERVAL_S = 0.25


class Sweeper:
    """Runs ``ProcessManager.sweep`` every ``interval`` seconds in a daemon thread."""

    def __init__(self, manager: ProcessManager, interval: float = SWEEP_INTERVAL_S) -> None:
        self.manager = manager
        self.interval = interval
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
        while not self._stop.is_set():
            try:
                report = self.manager.sweep()
                self.last_error = None
            except Exception as error:  # keep sweeping: the next attempt may succeed
                log.exception("sweep failed")
                self.last_error = str(error)
                report = SweepReport()
            if report.handled == 0:
                self._stop.wait(self.interval)


def settle(lists: CustomerLists, manager: ProcessManager, timeout: float = 60.0) -> bool:
    """Process everything due up to the clock's now, and let the views catch up.

    Returns False if that did not finish within ``timeout`` seconds (for example
    while the SMTP server refuses mail).
    """
    give_up = time.monotonic() + timeout
    while time.monotonic() < give_up:
        remaining = max(0.1, give_up - time.monotonic())
        if not lists.wait_until_current(timeout=remaining):
            continue
        report = manager.sweep()
        if report.failed:
            time.sleep(0.2)
            continue
        if report.done == 0:
            return lists.wait_until_current(timeout=max(0.1, give_up - time.monotonic()))
    return False
