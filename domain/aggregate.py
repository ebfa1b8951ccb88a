"""Event-sourced aggregate base: pydantic events with stable topics, and snapshots.

Events are frozen pydantic models. Each concrete event class names its stored
``TOPIC`` explicitly, so moving or renaming the class never orphans stored events.
A class whose schema changed raises ``class_version`` and defines
``upcast_vN_vM(state)`` static methods that rewrite older stored state.

One piece (a little over 250 lines): events, aggregates and snapshots share the
versioning and upcasting (``Versioned``) they are stored with, read in one place.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, Self, TypeVar, cast
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from domain.errors import DomainError
from domain.values import Actor


class Versioned(BaseModel):
    """What the event store keeps: a frozen model under a stable topic, at a version of
    its originator (an event, or a snapshot)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    TOPIC: ClassVar[str] = ""
    class_version: ClassVar[int] = 1

    originator_id: UUID
    originator_version: int
    timestamp: datetime


class DomainEvent(Versioned):
    # The fields that hold personal data: the event store keeps them encrypted under
    # the data key of the event's aggregate (its subject), and reads them back as None
    # once that key is erased (adapters/mapper.py). An event with such fields has a
    # field ``erased`` too, never stored: True when they were read without their key.
    PERSONAL_FIELDS: ClassVar[frozenset[str]] = frozenset()

    recorded_at: datetime
    actor: Actor

    def mutate(self, aggregate: Any) -> Any:
        """Evolve ``aggregate`` (or create it, for a creation event) and return it."""
        if aggregate is None:
            raise DomainError(f"{type(self).__name__} cannot start a history")
        if aggregate.version + 1 != self.originator_version:
            raise DomainError(
                f"event version {self.originator_version} does not follow "
                f"aggregate version {aggregate.version}"
            )
        self.apply(aggregate)
        aggregate.version = self.originator_version
        aggregate.modified_on = self.timestamp
        return aggregate

    def apply(self, aggregate: Any) -> None:
        """Change the aggregate's state; overridden by each event."""

    def values_of(self, *names: str) -> dict[str, Any]:
        """These fields' values by name: what a first event hands to its aggregate's state."""
        return {name: getattr(self, name) for name in names}

    def envelope(self) -> dict[str, Any]:
        """Which change, when and by whom, under the names histories, the audit export
        and webhooks give them: ``version``, ``type`` (the class's name), ``effective_at``
        (when it took effect), ``recorded_at`` and ``actor``; each formats the values."""
        return {
            "version": self.originator_version,
            "type": type(self).__name__,
            "effective_at": self.timestamp,
            "recorded_at": self.recorded_at,
            "actor": self.actor,
        }

    def facts(self) -> dict[str, Any]:
        """The event's own fields as JSON values, without its envelope (``erased`` only
        when its personal fields were erased)."""
        facts = self.model_dump(mode="json", exclude=set(ENVELOPE))
        if facts.get("erased") is False:
            del facts["erased"]
        return facts


# The fields every event has: which aggregate, at which version, when, by whom.
ENVELOPE = frozenset(DomainEvent.model_fields)


class Aggregate:
    """Identity, version, timestamps and pending events of an aggregate."""

    SNAPSHOT_TOPIC: ClassVar[str] = ""

    def __init__(self, id: UUID, created_on: datetime) -> None:  # noqa: A002
        self._id = id
        self.version = 0
        self.created_on = created_on
        self.modified_on = created_on
        self._pending: list[DomainEvent] = []

    @property
    def id(self) -> UUID:
        return self._id

    @property
    def has_pending_events(self) -> bool:
        return bool(self._pending)

    @property
    def pending_events(self) -> tuple[DomainEvent, ...]:
        return tuple(self._pending)

    def clone(self) -> Self:
        """A private copy to decide on. Events replace the state's fields and never
        change a field's value in place (lists are rebuilt, tuples are immutable), so
        a shallow copy of the state model is a full one: 20x cheaper than deepcopy."""
        twin = copy.copy(self)
        twin._pending = list(self._pending)
        state = getattr(self, "state", None)
        if isinstance(state, BaseModel):
            setattr(twin, "state", state.model_copy())  # noqa: B010
        return twin

    def collect_events(self) -> list[DomainEvent]:
        collected, self._pending = self._pending, []
        return collected

    def _envelope(
        self, at: datetime, by: Actor, effective_at: datetime | None = None
    ) -> dict[str, Any]:
        """The fields every next event has.

        ``timestamp`` is when the event takes effect: the command's instant, or the
        deadline of a time-driven event processed late. ``recorded_at`` is the
        clock's instant when it was recorded. Time never runs backwards in a history.
        """
        effective = utc(effective_at) if effective_at is not None else utc(at)
        return {
            "originator_id": self.id,
            "originator_version": self.version + 1,
            "timestamp": max(effective, self.modified_on),
            "recorded_at": utc(at),
            "actor": by,
        }

    @classmethod
    def _start(cls, event: DomainEvent) -> Self:
        """The aggregate ``event`` (the first of a history) creates, with it pending."""
        aggregate = cast(Self, event.mutate(None))
        aggregate._pending.append(event)
        return aggregate

    def _trigger(self, event: DomainEvent) -> None:
        event.mutate(self)
        self._pending.append(event)

    # Snapshots: every aggregate keeps its state in a pydantic model ``state``.
    def snapshot_state(self) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def from_snapshot(cls, snapshot: Snapshot) -> Self:
        raise NotImplementedError

    @classmethod
    def erased_snapshot_state(cls, state: dict[str, Any]) -> dict[str, Any]:
        """A snapshot's state without its personal data (after an erasure)."""
        return state


S = TypeVar("S", bound=BaseModel)


class Stateful(Aggregate, Generic[S]):
    """An aggregate whose state is one pydantic model ``state_type``: its snapshot."""

    state_type: ClassVar[type[BaseModel]]

    def __init__(self, id: UUID, created_on: datetime, state: S) -> None:  # noqa: A002
        super().__init__(id, created_on)
        self.state = state

    @classmethod
    def created(cls, event: DomainEvent, state: S) -> Self:
        """The aggregate as the first event of its history makes it."""
        aggregate = cls(event.originator_id, event.timestamp, state)
        aggregate.version = event.originator_version
        return aggregate

    def snapshot_state(self) -> dict[str, Any]:
        return self.state.model_dump(mode="json")

    @classmethod
    def from_snapshot(cls, snapshot: Snapshot) -> Self:
        state = cast(S, cls.state_type.model_validate(snapshot.state))
        return cls(snapshot.originator_id, snapshot.created_on, state)


def first_envelope(originator_id: UUID, at: datetime, by: Actor) -> dict[str, Any]:
    """The fields of the first event of a history, recorded when it takes effect."""
    at = utc(at)
    return {
        "originator_id": originator_id,
        "originator_version": 1,
        "timestamp": at,
        "recorded_at": at,
        "actor": by,
    }


def utc(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("instants must be timezone-aware (UTC)")
    return at.astimezone(UTC)


class Snapshot(Versioned):
    """The state of an aggregate at a version, to avoid replaying long histories."""

    TOPIC: ClassVar[str] = "Snapshot"

    created_on: datetime
    aggregate: str
    state: dict[str, Any]

    @classmethod
    def take(cls, aggregate: Aggregate) -> Snapshot:
        return cls(
            originator_id=aggregate.id,
            originator_version=aggregate.version,
            timestamp=aggregate.modified_on,
            created_on=aggregate.created_on,
            aggregate=type(aggregate).SNAPSHOT_TOPIC,
            state=aggregate.snapshot_state(),
        )

    def mutate(self, aggregate: Any) -> Aggregate:
        restored = aggregate_class(self.aggregate).from_snapshot(self)
        restored.version = self.originator_version
        restored.modified_on = self.timestamp
        return restored


def erased_state(aggregate: str, state: dict[str, Any]) -> dict[str, Any]:
    """The snapshot ``state`` of an ``aggregate`` whose personal data was erased."""
    return aggregate_class(aggregate).erased_snapshot_state(state)


def aggregate_class(name: str) -> type[Aggregate]:
    """The aggregate class whose ``SNAPSHOT_TOPIC`` is ``name`` (creation events and
    snapshots build their aggregate through it, without importing its module)."""
    found = _AGGREGATES.get(name)
    if found is None:  # the first time, or a class defined since: look again
        _AGGREGATES.update({c.SNAPSHOT_TOPIC: c for c in _subclasses(Aggregate)})
        found = _AGGREGATES[name]
    return found


_AGGREGATES: dict[str, type[Aggregate]] = {}


def _subclasses(cls: type[Aggregate]) -> list[type[Aggregate]]:
    found: list[type[Aggregate]] = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found
