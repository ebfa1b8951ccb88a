"""Auditors' tools: every event as JSON Lines, and a hash chain that shows tampering.

Each stored event's hash covers its position, aggregate, version, topic and stored
bytes, and the previous event's hash. A chain recorded as the events were followed
is later recomputed from the events table: an altered, removed or reordered event
breaks it from that point on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, cast

from eventsourcing.persistence import Notification

from application.store import EventStore
from domain.aggregate import DomainEvent

GENESIS = "0" * 64
BATCH = 1000


def link_hash(previous: str, notification: Notification) -> str:
    digest = hashlib.sha256()
    digest.update(previous.encode())
    digest.update(
        f"|{notification.id}|{notification.originator_id}|"
        f"{notification.originator_version}|{notification.topic}|".encode()
    )
    digest.update(notification.state)
    return digest.hexdigest()


def notifications(store: EventStore, start: int = 1) -> Iterator[Notification]:
    position = start
    while True:
        batch = store.recorder.select_notifications(position, BATCH)
        if not batch:
            return
        yield from batch
        position = batch[-1].id + 1


def chain(items: Iterable[Notification], previous: str = GENESIS) -> Iterator[tuple[int, str]]:
    for notification in items:
        previous = link_hash(previous, notification)
        yield notification.id, previous


def export_lines(store: EventStore) -> Iterator[dict[str, Any]]:
    previous = GENESIS
    for notification in notifications(store):
        event = cast(DomainEvent, store.mapper.to_domain_event(notification))
        previous = link_hash(previous, notification)
        data = event.model_dump(
            mode="json",
            exclude={"originator_id", "originator_version", "timestamp", "recorded_at", "actor"},
        )
        yield {
            "position": notification.id,
            "aggregate_id": str(notification.originator_id),
            "version": notification.originator_version,
            "topic": notification.topic,
            "type": type(event).__name__,
            "effective_at": event.timestamp.isoformat(),
            "recorded_at": event.recorded_at.isoformat(),
            "actor": event.actor.model_dump(mode="json"),
            "data": data,
            "chain_hash": previous,
        }


@dataclass(frozen=True)
class Finding:
    position: int
    problem: str


def verify(recorded: Iterable[tuple[int, str]], store: EventStore) -> list[Finding]:
    """Compare the recorded chain with one recomputed from the stored events."""
    findings: list[Finding] = []
    expected = dict(recorded)
    seen: set[int] = set()
    for position, digest in chain(notifications(store)):
        seen.add(position)
        if position not in expected:
            continue  # recorded after the chain was last followed
        if expected[position] != digest:
            findings.append(Finding(position, "altered or reordered"))
            break  # every later hash differs too
    findings += [Finding(position, "removed") for position in sorted(expected.keys() - seen)]
    return findings
