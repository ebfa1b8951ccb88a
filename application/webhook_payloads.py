"""The payload of a customer event, the one the webhooks send and the events feed
lists: built here only, from the stored history (application/webhook_messages.py says
what it holds)."""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from uuid import UUID

from application.errors import NotFound
from application.unit_of_work import UnitOfWork
from application.webhook_messages import body
from domain.aggregate import DomainEvent
from domain.customer import Customer


@dataclass(frozen=True)
class Occurrence:
    """A customer's event at ``version``, of webhook type ``event_type``, at ``position``
    in the notification log."""

    customer_id: UUID
    version: int
    event_type: str
    position: int


def payload(uow: UnitOfWork, occurrence: Occurrence) -> bytes:
    return payloads(uow, [occurrence])[0]


def payloads(
    uow: UnitOfWork, occurrences: Sequence[Occurrence], states: States | None = None
) -> list[bytes]:
    """Each occurrence's body, in the order given. A customer's history is read once for
    all its occurrences: loaded at the first, then evolved event by event. ``states``:
    customers as last built, to go on from (a backlog read in order reads each event
    once) rather than read each history from its start."""
    wanted: dict[UUID, dict[int, Occurrence]] = defaultdict(dict)
    for o in occurrences:
        wanted[o.customer_id][o.version] = o
    made: dict[tuple[UUID, int], bytes] = {}
    for customer_id, versions in wanted.items():
        first, last = min(versions), max(versions)
        customer = None if states is None else states.take(customer_id, before=first)
        if customer is None:
            customer = uow.load(Customer, customer_id, first)
            read_after = first - 1
        else:
            read_after = customer.version
        for event in uow.store.events.get(customer_id, gt=read_after, lte=last):
            if not isinstance(event, DomainEvent):
                raise NotFound(f"no event {event.originator_version} of customer {customer_id}")
            if event.originator_version > customer.version:
                customer = event.mutate(customer)
            at = versions.get(event.originator_version)
            if at is not None:
                made[customer_id, at.version] = body(customer, event, at.event_type, at.position)
        if states is not None and customer.version == last:
            states.put(customer_id, customer)
    try:
        return [made[o.customer_id, o.version] for o in occurrences]
    except KeyError as missing:
        raise NotFound(f"no event {missing} in the stored histories") from None


class States:
    """The customers as last built, for at most ``keep`` customers; each is taken out
    while it is evolved, so no two builders share one."""

    def __init__(self, keep: int = 256) -> None:
        self.keep = keep
        self._kept: OrderedDict[UUID, Customer] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, customer_id: UUID, *, before: int) -> Customer | None:
        """The customer kept, if it is at a version before ``before``."""
        with self._lock:
            kept = self._kept.get(customer_id)
            if kept is None or kept.version >= before:
                return None
            del self._kept[customer_id]
            return kept

    def put(self, customer_id: UUID, customer: Customer) -> None:
        with self._lock:
            kept = self._kept.get(customer_id)
            if kept is None or kept.version < customer.version:
                self._kept[customer_id] = customer
                self._kept.move_to_end(customer_id)
            while len(self._kept) > self.keep:
                self._kept.popitem(last=False)


class SharedPayloads:
    """One body per event for all the endpoints that get it: built once (by the first
    sender that needs it, the others waiting for that one), then kept for the last
    ``keep`` events. A body never changes: an event and the history before it are
    immutable. The next bodies of a customer are built on from the state the last ones
    left, reading only the events after it."""

    def __init__(self, uow: UnitOfWork, keep: int = 2048) -> None:
        self.uow = uow
        self.keep = keep
        self._made: OrderedDict[tuple[UUID, int], Future[bytes]] = OrderedDict()
        self._lock = threading.Lock()
        self.states = States()

    def bodies(self, occurrences: Sequence[Occurrence]) -> list[bytes]:
        """Each occurrence's body, in the order given (raises what building one raised)."""
        wanted: list[Future[bytes]] = []
        building: list[tuple[Occurrence, Future[bytes]]] = []
        with self._lock:
            for o in occurrences:
                key = (o.customer_id, o.version)
                made = self._made.get(key)
                if made is None:
                    made = self._made[key] = Future()
                    building.append((o, made))
                wanted.append(made)
            while len(self._made) > self.keep:
                self._made.popitem(last=False)
        if building:
            self._build(building)
        return [made.result() for made in wanted]

    def _build(self, building: list[tuple[Occurrence, Future[bytes]]]) -> None:
        try:
            built = payloads(self.uow, [o for o, _ in building], self.states)
        except BaseException as error:
            with self._lock:  # the next one to need them tries again
                for o, made in building:
                    if self._made.get((o.customer_id, o.version)) is made:
                        del self._made[o.customer_id, o.version]
            for _, made in building:
                made.set_exception(error)
            raise
        for (_, made), made_body in zip(building, built, strict=True):
            made.set_result(made_body)
