"""The webhook senders of one process: a thread that leases due deliveries and a pool
of threads that post them, apart from the process manager's sweeper.

The leasing thread takes a batch of an endpoint's due deliveries for each free sender
(one statement for all of them); a sender posts its batch one delivery after another.
An endpoint has at most one attempt under way in a process, and each attempt is
bounded (15 s), so a slow or hanging receiver holds one sending thread at most while
the others go on delivering to every other endpoint. The views' follower wakes the
leasing thread when it enqueues deliveries (``wake``); otherwise it looks every
``POLL_S`` (for retries coming due, and deliveries another process enqueued)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from uuid import UUID

from application.backoff import Backoff
from application.webhook_dispatch import GO_ON_S, Batch, WebhookDispatcher

log = logging.getLogger(__name__)

SENDERS = 8
POLL_S = 0.2
FAILED_POLL = Backoff(first=POLL_S, longest=2.0)


class WebhookWorkers:
    def __init__(
        self, dispatcher: WebhookDispatcher, senders: int = SENDERS, poll: float = POLL_S
    ) -> None:
        self.dispatcher = dispatcher
        self.senders = senders
        self.poll = poll
        self._busy: set[UUID] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None
        self.last_error: str | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._pool = ThreadPoolExecutor(self.senders, thread_name_prefix="webhook-sender")
        self._thread = threading.Thread(target=self._run, name="webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                started = self.step()
                failures = 0
                self.last_error = None
            except Exception as error:  # keep sending: the next attempt may succeed
                log.exception("leasing webhook deliveries failed")
                self.last_error = str(error)
                failures += 1
                self._stop.wait(FAILED_POLL.pause(failures))
                continue
            if not started:
                self._wake.wait(self.poll)
                self._wake.clear()

    def step(self) -> int:
        """Lease what is due for the free senders and start them; how many batches."""
        with self._lock:
            free = self.senders - len(self._busy)
            busy = set(self._busy)
        if free <= 0 or self._pool is None:
            return 0
        batches = self.dispatcher.lease(free, busy)
        for batch in batches:
            with self._lock:
                self._busy.add(batch.endpoint_id)
            future = self._pool.submit(self._send, batch)
            future.add_done_callback(self._done_with(batch))
        return len(batches)

    def _send(self, batch: Batch) -> None:
        try:
            self.dispatcher.deliver_batch(batch, self._stop.is_set, go_on_for=GO_ON_S)
        except Exception:  # its leases run out and it is tried again
            if not self._stop.is_set():  # not an attempt cut short by the process stopping
                log.exception("webhook deliveries to %s failed", batch.endpoint_id)

    def _done_with(self, batch: Batch) -> Callable[[Future[None]], None]:
        def done(_: Future[None]) -> None:
            with self._lock:
                self._busy.discard(batch.endpoint_id)
            self._wake.set()

        return done
