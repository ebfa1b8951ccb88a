"""Given/When/Then for aggregates, without a framework (Emmett's shape).

    given(created(), activated(), onboarded())
        .when(lambda customer: customer.extend_trial(policy=POLICY, at=t, by=MSP))
        .then(expect(Customer.TrialExtended, trial_ends_at=...))

``given`` numbers the events (id and version) and replays them into the aggregate, so
histories are written as plain facts; ``then`` compares the events the command recorded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from uuid import UUID

from domain.aggregate import Aggregate, DomainEvent

CUSTOMER_ID = UUID("00000000-0000-4000-8000-00000000c001")
A = TypeVar("A", bound=Aggregate)


@dataclass(frozen=True)
class Expected:
    """An event of ``type`` whose fields include ``fields``."""

    type: type[DomainEvent]
    fields: dict[str, Any] = field(default_factory=dict)


def expect(event_type: type[DomainEvent], **fields: Any) -> Expected:
    return Expected(event_type, fields)


def numbered(events: tuple[DomainEvent, ...], aggregate_id: UUID) -> list[DomainEvent]:
    return [
        e.model_copy(update={"originator_id": aggregate_id, "originator_version": n})
        for n, e in enumerate(events, start=1)
    ]


def replay(events: list[DomainEvent]) -> Any:
    aggregate: Any = None
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


class Given(Generic[A]):
    def __init__(self, events: list[DomainEvent]) -> None:
        self.events = events

    def when(self, command: Callable[[A], object]) -> When[A]:
        aggregate: A = replay(self.events)
        try:
            result = command(aggregate)
        except Exception as error:
            return When(aggregate, [], None, error)
        created = result if aggregate is None and isinstance(result, Aggregate) else None
        target: Any = created if created is not None else aggregate
        return When(target, target.collect_events(), result, None)

    def state(self) -> A:
        aggregate: A = replay(self.events)
        return aggregate


@dataclass
class When(Generic[A]):
    aggregate: A
    recorded: list[DomainEvent]
    result: object
    error: Exception | None

    def then(self, *expected: Expected | type[DomainEvent]) -> list[DomainEvent]:
        """The command recorded exactly these events, in this order."""
        if self.error is not None:
            raise AssertionError(f"expected events, the command was refused: {self.error!r}")
        wanted = [e if isinstance(e, Expected) else Expected(e) for e in expected]
        assert [type(e) for e in self.recorded] == [w.type for w in wanted]
        for event, want in zip(self.recorded, wanted, strict=True):
            actual = {name: getattr(event, name) for name in want.fields}
            assert actual == want.fields, f"{type(event).__name__}: {actual} != {want.fields}"
        return self.recorded

    def then_nothing(self) -> None:
        self.then()

    def then_refused(self, error_type: type[Exception], match: str | None = None) -> Any:
        """The command was refused with ``error_type`` and recorded nothing."""
        if self.error is None:
            raise AssertionError(f"expected {error_type.__name__}, recorded {self.recorded}")
        if not isinstance(self.error, error_type):
            raise AssertionError(f"expected {error_type.__name__}, got {self.error!r}")
        if match is not None and not re.search(match, str(self.error)):
            raise AssertionError(f"{str(self.error)!r} does not match {match!r}")
        if self.aggregate is not None:
            assert self.aggregate.collect_events() == []
        return self.error


def given(*events: DomainEvent, aggregate_id: UUID = CUSTOMER_ID) -> Given[Any]:
    return Given(numbered(events, aggregate_id))
