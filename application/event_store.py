"""The event store's port: what the use cases need of the stored histories.

``adapters/event_store.py`` implements it on the eventsourcing library's Application
(on every backend it supports)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.application import Repository
from eventsourcing.persistence import ApplicationRecorder, Recording
from eventsourcing.persistence import EventStore as Events


def replay(aggregate: Any, events: Iterable[Any]) -> Any:
    """Apply ``events`` in order. The library's default projector checks a runtime
    Protocol on every event (~0.6 ms a command in profiles); ours need no check."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


class EventStore(Protocol):
    """Histories by aggregate id, saved together, in one notification log."""

    @property
    def repository(self) -> Repository[UUID]: ...

    @property
    def events(self) -> Events[UUID]: ...

    @property
    def snapshots(self) -> Events[UUID] | None: ...

    @property
    def recorder(self) -> ApplicationRecorder: ...

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """The aggregates' new events, all in one transaction."""
        ...

    def histories(self, after: Mapping[UUID, int]) -> dict[UUID, list[Any]]:
        """For each aggregate id, what follows the version ``after[id]`` (0: the whole
        history): the newest snapshot past it, if any, then the events past both; in
        one read where the store allows it."""
        ...
