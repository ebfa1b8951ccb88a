"""Auditors' tools over the notification log: JSON Lines export, and a hash chain.

Each stored event's hash covers its position, aggregate, version, topic and stored
bytes, and the previous event's hash. The chain is recorded as the events are
followed (``seal``, run by the background work and before every verification);
``verify`` recomputes it from the events table: an altered, removed or reordered
event breaks it from that point on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Mapper, Notification

from domain.aggregate import DomainEvent
from projections.database import Database

GENESIS = "0" * 64
BATCH = 1000
CREATE = (
    "CREATE TABLE IF NOT EXISTS audit_chain ("
    "position BIGINT NOT NULL PRIMARY KEY, chain_hash TEXT NOT NULL)"
)
ENVELOPE = {"originator_id", "originator_version", "timestamp", "recorded_at", "actor"}


def link_hash(previous: str, notification: Notification) -> str:
    digest = hashlib.sha256()
    digest.update(previous.encode())
    digest.update(
        f"|{notification.id}|{notification.originator_id}|"
        f"{notification.originator_version}|{notification.topic}|".encode()
    )
    digest.update(notification.state)
    return digest.hexdigest()


def notifications(recorder: ApplicationRecorder, after: int = 0) -> Iterator[Notification]:
    while True:
        batch = recorder.select_notifications(after, BATCH, inclusive_of_start=False)
        yield from batch
        if len(batch) < BATCH:
            return
        after = batch[-1].id


def export_lines(recorder: ApplicationRecorder, mapper: Mapper[UUID]) -> Iterator[dict[str, Any]]:
    """Every stored event, oldest first, with its chain hash."""
    previous = GENESIS
    for notification in notifications(recorder):
        event = cast(DomainEvent, mapper.to_domain_event(notification))
        previous = link_hash(previous, notification)
        yield {
            "position": notification.id,
            "aggregate_id": str(notification.originator_id),
            "version": notification.originator_version,
            "topic": notification.topic,
            "type": type(event).__name__,
            "effective_at": event.timestamp.isoformat(),
            "recorded_at": event.recorded_at.isoformat(),
            "actor": event.actor.model_dump(mode="json"),
            "data": event.model_dump(mode="json", exclude=ENVELOPE),
            "chain_hash": previous,
        }


@dataclass(frozen=True)
class Finding:
    position: int
    problem: str


class AuditChain:
    def __init__(self, db: Database, recorder: ApplicationRecorder) -> None:
        self.db = db
        self.recorder = recorder

    def create_schema(self) -> None:
        with self.db.schema_transaction() as tx:
            tx.execute(CREATE)

    def seal(self) -> int:
        """Extend the recorded chain over events not yet in it; how many were added."""
        added = 0
        while True:
            with self.db.transaction() as tx:
                last = tx.rows(
                    "SELECT position, chain_hash FROM audit_chain ORDER BY position DESC LIMIT 1"
                )
                position = int(last[0]["position"]) if last else 0
                previous = str(last[0]["chain_hash"]) if last else GENESIS
                batch = self.recorder.select_notifications(
                    position, BATCH, inclusive_of_start=False
                )
                rows = []
                for notification in batch:
                    previous = link_hash(previous, notification)
                    rows.append((notification.id, previous))
                tx.executemany(  # another process may seal the same events: same hashes
                    "INSERT INTO audit_chain (position, chain_hash) VALUES (?, ?) "
                    "ON CONFLICT (position) DO NOTHING",
                    rows,
                )
            added += len(rows)
            if len(batch) < BATCH:
                return added

    def recorded(self) -> dict[int, str]:
        rows = self.db.rows("SELECT position, chain_hash FROM audit_chain")
        return {int(r["position"]): str(r["chain_hash"]) for r in rows}

    def verify(self) -> list[Finding]:
        """Compare the recorded chain with one recomputed from the stored events."""
        return compare(self.recorded(), chain(notifications(self.recorder)))


def chain(items: Iterable[Notification]) -> Iterator[tuple[int, str]]:
    previous = GENESIS
    for notification in items:
        previous = link_hash(previous, notification)
        yield notification.id, previous


def compare(expected: dict[int, str], actual: Iterable[tuple[int, str]]) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[int] = set()
    broken = False
    for position, digest in actual:
        seen.add(position)
        if not broken and position in expected and expected[position] != digest:
            findings.append(Finding(position, "altered, inserted or reordered"))
            broken = True  # every later hash differs too
    findings += [Finding(p, "removed") for p in sorted(expected.keys() - seen)]
    return findings
