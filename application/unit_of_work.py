"""Load, decide, save, and start again from a fresh load when another writer won.

Commands first decide on the last state this process saved (kept in a small LRU
cache), skipping the read: if another process wrote meanwhile, the save conflicts on
the aggregate's next version and the command runs again on a fresh load. A refusal
or a no-op decided on cached state is checked again on a fresh load before it is
answered, so the cache never changes an outcome, only saves a round trip.

One piece (a little over 250 lines): loading, the cache, saving with its conflict
retry and the receipts of Idempotency-Keys all decide together whether a command runs
again on a fresh load; split, each part would need the others' state.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError

from application.backoff import Backoff
from application.clock import Clock
from application.errors import Busy, KeyReused, NotFound, PreconditionFailed
from application.event_store import EventStore, replay
from application.own_writes import OwnWrites, parties_of
from application.receipts import Asked, Receipt, ReceiptState, asked
from application.saved_states import SavedStates
from domain.aggregate import Aggregate, DomainEvent
from domain.errors import DomainError

A = TypeVar("A", bound=Aggregate)
MAX_ATTEMPTS = 50
CONNECTION_LOST = (OperationalError, InterfaceError)
# Another writer won: a random pause, up to 2 ms more each attempt. The connection broke:
# 0.2 s each time, for the database to come back.
CONFLICT_BACKOFF = Backoff(first=0.002, linear=True, jitter=True)
RECONNECT_BACKOFF = Backoff(first=0.2, factor=1.0)


class UnitOfWork:
    def __init__(
        self, store: EventStore, clock: Clock, own_writes: OwnWrites | None = None
    ) -> None:
        self.store = store
        self.clock = clock
        self.saved = SavedStates()
        self.own_writes = OwnWrites() if own_writes is None else own_writes

    def load(self, kind: type[A], aggregate_id: UUID, version: int | None = None) -> A:
        """The aggregate as stored now (or at ``version``), read from the database."""
        try:
            aggregate: object = self.store.repository.get(
                aggregate_id, version=version, projector_func=replay
            )
        except AggregateNotFoundError:
            raise NotFound(f"no {kind.__name__.lower()} {aggregate_id}") from None
        if not isinstance(aggregate, kind):
            raise NotFound(f"no {kind.__name__.lower()} {aggregate_id}")
        return aggregate

    def find(self, kind: type[A], aggregate_id: UUID) -> A | None:
        """The aggregate as stored now, or None when there is none of ``kind``."""
        try:
            return self.load(kind, aggregate_id)
        except NotFound:
            return None

    def load_many(self, kind: type[A], aggregate_ids: Iterable[UUID]) -> dict[UUID, A]:
        """The aggregates of ``kind`` among ``aggregate_ids`` as stored now, in one read
        where the store allows it: those this process saved last are brought up to date
        from their version (often nothing to read), the others read whole (from their
        newest snapshot). Ids of no aggregate of ``kind`` are left out."""
        cached: dict[UUID, A | None] = {}
        for aggregate_id in aggregate_ids:
            found = self.saved.get(aggregate_id)
            cached[aggregate_id] = found if isinstance(found, kind) else None
        histories = self.store.histories({i: a.version if a else 0 for i, a in cached.items()})
        loaded: dict[UUID, A] = {}
        for aggregate_id, start in cached.items():
            # A snapshot in the history starts afresh (Snapshot.mutate ignores ``start``).
            aggregate: object = replay(start, histories.get(aggregate_id, []))
            if isinstance(aggregate, kind):
                loaded[aggregate_id] = aggregate
        return loaded

    def save_together(self, aggregates: Sequence[Aggregate]) -> int | None:
        """Save what ``aggregates`` recorded in one transaction (one insert where the
        store allows it): all of it or none. When another writer saved one of them
        first, ``IntegrityError`` says nothing was saved (decide each again on a fresh
        load); when the connection broke, it finds out whether the save landed, as
        ``save_once`` does."""
        changed = [a for a in aggregates if a.has_pending_events]
        if not changed:
            return None
        pending = changed[0].pending_events
        try:
            position = self.save(*changed)
        except IntegrityError:
            for aggregate in changed:
                self.saved.drop(aggregate.id)
            raise
        except CONNECTION_LOST:
            for aggregate in changed:
                self.saved.drop(aggregate.id)
            if not self.stored(pending):
                raise
            position = self.store.recorder.max_notification_id()
            if position is not None:
                self.own_writes.note(set[str]().union(*map(parties_of, changed)), position)
            return position
        for aggregate in changed:
            self.saved.put(aggregate)
        return position

    def change(
        self,
        kind: type[A],
        aggregate_id: UUID,
        decide: Callable[[A, datetime], object],
        expected_version: int | None = None,
        *,
        check: Callable[[A], object] = lambda aggregate: None,
    ) -> tuple[A, int | None]:
        """Run ``check``, then the ``expected_version`` precondition, then ``decide`` on
        the aggregate, and save what ``decide`` recorded. ``check`` refuses callers who
        may not see the aggregate, so they learn nothing from the precondition.

        A conflict means another command landed first: the next attempt sees its
        events, so the second command succeeds or is refused for the domain's reason.
        Under an Idempotency-Key whose command is done already, nothing is decided: the
        answer is the aggregate as that command left it.
        """
        request = asked()
        changed = self._change(kind, aggregate_id, decide, expected_version, request, check)
        spend(request)
        return changed

    def _change(  # noqa: PLR0913, PLR0917
        self,
        kind: type[A],
        aggregate_id: UUID,
        decide: Callable[[A, datetime], object],
        expected_version: int | None,
        request: Asked | None,
        check: Callable[[A], object],
    ) -> tuple[A, int | None]:
        for attempt in range(MAX_ATTEMPTS):
            receipt = self._receipt(request)
            if done := self._done(request, receipt):
                return self._reached(self._as_done(kind, done))
            cached = self.saved.get(aggregate_id) if attempt == 0 else None
            aggregate = cached if isinstance(cached, kind) else self.load(kind, aggregate_id)
            fresh = aggregate is not cached
            try:
                check(aggregate)
                if expected_version is not None and aggregate.version != expected_version:
                    raise PreconditionFailed(expected_version, aggregate.version)
                decide(aggregate, self.clock.now())
            except DomainError:
                if fresh:
                    raise
                continue
            if not aggregate.has_pending_events and not fresh:
                continue
            self._record(receipt, request, aggregate)
            try:
                position = self.save_once(aggregate, receipt)
            except IntegrityError:
                self.saved.drop(aggregate_id)
                time.sleep(CONFLICT_BACKOFF.pause(attempt + 1))
                continue
            except CONNECTION_LOST:  # it did not land (or it is unknown): load and decide again
                self.saved.drop(aggregate_id)
                time.sleep(RECONNECT_BACKOFF.pause(attempt + 1))
                continue
            self.saved.put(aggregate)
            return aggregate, position
        raise Busy(f"{kind.__name__} {aggregate_id} is too busy; try again")

    def save(self, *aggregates: Aggregate) -> int | None:
        """Save what the aggregates recorded; the position it reached (None: nothing to
        save), noted for those who can see the aggregates (application/own_writes.py)."""
        parties = set[str]().union(*(parties_of(a) for a in aggregates if a.has_pending_events))
        recordings = self.store.save(*aggregates)
        position = max((r.notification.id for r in recordings), default=None)
        if position is not None:
            self.own_writes.note(parties, position)
        return position

    def _reached(self, aggregate: A) -> tuple[A, int | None]:
        """``aggregate`` as stored by an earlier save whose position is not known here:
        the newest position now stands for it."""
        position = self.store.recorder.max_notification_id()
        if position is not None:
            self.own_writes.note(parties_of(aggregate), position)
        return aggregate, position

    def save_once(self, aggregate: Aggregate, receipt: Receipt | None = None) -> int | None:
        """Save (in one transaction with ``receipt``, if any); when the connection broke
        during the save, find out whether it landed.

        If the commit went through and only its acknowledgement was lost (a terminated
        backend, a failover), the command is done: saying otherwise would refuse or redo
        a write that was recorded. If it did not land, the connection error is raised:
        ``change`` starts again from a fresh load; a creation is answered 503.
        """
        pending = aggregate.pending_events
        try:
            return self.save(aggregate) if receipt is None else self.save(aggregate, receipt)
        except CONNECTION_LOST:
            if pending and self.stored(pending):
                return self._reached(aggregate)[1]
            raise

    def stored(self, events: Sequence[DomainEvent]) -> bool:
        """Whether exactly these events are stored at their versions."""
        first, last = events[0], events[-1]
        found = self.store.events.get(
            first.originator_id, gt=first.originator_version - 1, lte=last.originator_version
        )
        return list(found) == list(events)

    def create(self, aggregate: A) -> tuple[A, int | None]:
        """Save a new aggregate. Under an Idempotency-Key whose command is done already,
        nothing is saved: the answer is the aggregate that command created, as created."""
        request = asked()
        created = self._create(aggregate, request)
        spend(request)
        return created

    def _create(self, aggregate: A, request: Asked | None) -> tuple[A, int | None]:
        receipt = self._receipt(request)
        if done := self._done(request, receipt):
            return self._reached(self._as_done(type(aggregate), done))
        self._record(receipt, request, aggregate)
        try:
            position = self.save_once(aggregate, receipt)
        except IntegrityError:
            if done := self._done(request, self._receipt(request)):  # another run of the key won
                return self._reached(self._as_done(type(aggregate), done))
            raise Busy(f"{aggregate.id} exists already") from None
        self.saved.put(aggregate)
        return aggregate, position

    # ------------------------------------------------------------ receipts
    def done_before(self, kind: type[A]) -> A | None:
        """The aggregate as a command done before under this request's Idempotency-Key
        left it, if there is one (and it is still honoured)."""
        request = asked()
        done = self._done(request, self._receipt(request))
        if done is None:
            return None
        spend(request)
        return self._as_done(kind, done)

    def _receipt(self, request: Asked | None) -> Receipt | None:
        """The receipt of the request's Idempotency-Key (new if none), or None without one."""
        if request is None:
            return None
        # Its events straight (receipts have no snapshots): one query, not two.
        found: object = replay(None, self.store.events.get(request.receipt_id))
        if found is None:
            return Receipt(request.receipt_id, self.clock.now())
        assert isinstance(found, Receipt)
        return found

    def done_under(self, request: Asked) -> bool:
        """Whether a command was done under ``request``'s Idempotency-Key (and is still
        honoured); True too when the key's receipt names another request (running the
        request refuses it)."""
        try:
            return self._done(request, self._receipt(request)) is not None
        except KeyReused:
            return True

    def _record(self, receipt: Receipt | None, request: Asked | None, aggregate: Aggregate) -> None:
        """Name what the command did in the receipt saved with it (if it did anything)."""
        if receipt is not None and request is not None and aggregate.has_pending_events:
            receipt.record(request, aggregate, self.clock.now())

    def _done(self, request: Asked | None, receipt: Receipt | None) -> ReceiptState | None:
        if request is None or receipt is None:
            return None
        return receipt.done(request, self.clock.now())

    def _as_done(self, kind: type[A], done: ReceiptState) -> A:
        """The aggregate as the command under the key left it."""
        return self.load(kind, done.aggregate_id, version=done.aggregate_version)


def spend(request: Asked | None) -> None:
    """The request's command is done: later commands of the request go without its key."""
    if request is not None:
        request.spent = True
