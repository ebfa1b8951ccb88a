"""Auditors' tools over the notification log: JSON Lines export, and a keyed seal.

Every stored event carries a MAC under a key the database does not hold
(``adapters/event_macs.py``): it proves the event's content. The seal proves
its place: a chain of HMACs, under a second key derived from the same one, over each
event's position, aggregate, version, topic and stored bytes and the previous link,
recorded in ``audit_seals`` as the events are followed (``seal``, run by the
background work and before every verification). The seal never takes in an event
whose MAC does not verify.

``verify`` checks every event's MAC and every recorded link (each from the link
recorded before it, so each bad position is named on its own) and names what it
finds: an event altered, inserted, removed or moved.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, cast
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Mapper, Notification
from pydantic import BaseModel

from adapters.sql import create_tables
from domain.aggregate import DomainEvent
from projections.sql import Database

log = logging.getLogger(__name__)

GENESIS = "0" * 64
BATCH = 1000
# The unkeyed ``audit_chain`` of earlier versions is neither read nor written any more.
CREATE = (
    "CREATE TABLE IF NOT EXISTS audit_seals ("
    "position BIGINT NOT NULL PRIMARY KEY, link TEXT NOT NULL)"
)


class EventChecker(Protocol):
    """What the audit needs of the application's event MACs."""

    seal_key: bytes

    def problem(
        self, originator_id: UUID | str, version: int, topic: str, state: bytes
    ) -> str | None: ...


def link_hash(key: bytes, previous: str, notification: Notification) -> str:
    digest = hmac.new(key, digestmod=hashlib.sha256)
    digest.update(previous.encode())
    digest.update(
        f"|{notification.id}|{notification.originator_id}|"
        f"{notification.originator_version}|{len(notification.topic)}|{notification.topic}|".encode()
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


def problem_of(checker: EventChecker, n: Notification) -> str | None:
    return checker.problem(n.originator_id, n.originator_version, n.topic, n.state)


@dataclass(frozen=True)
class Finding:
    position: int
    problem: str


class AuditChain:
    def __init__(self, db: Database, recorder: ApplicationRecorder, checker: EventChecker) -> None:
        self.db = db
        self.recorder = recorder
        self.checker = checker
        self.refused: int | None = None  # the first event the last seal would not take in

    def create_schema(self) -> None:
        create_tables(self.db, CREATE)

    def seal(self) -> int:
        """Extend the seal over events not yet in it; how many were added. It stops
        before the first event whose MAC does not verify (and logs it)."""
        added = 0
        refused, self.refused = self.refused, None
        while True:
            with self.db.transaction() as tx:
                last = tx.rows(
                    "SELECT position, link FROM audit_seals ORDER BY position DESC LIMIT 1"
                )
                position = int(last[0]["position"]) if last else 0
                previous = str(last[0]["link"]) if last else GENESIS
                batch = self.recorder.select_notifications(
                    position, BATCH, inclusive_of_start=False
                )
                rows = []
                for notification in batch:
                    problem = problem_of(self.checker, notification)
                    if problem is not None:
                        if refused != notification.id:  # once, not every pass
                            log.error(
                                "audit seal stopped at position %d: %s (run tenantry audit verify)",
                                notification.id,
                                problem,
                            )
                        self.refused = notification.id
                        break
                    previous = link_hash(self.checker.seal_key, previous, notification)
                    rows.append((notification.id, previous))
                tx.executemany(  # another process may seal the same events: same links
                    "INSERT INTO audit_seals (position, link) VALUES (?, ?) "
                    "ON CONFLICT (position) DO NOTHING",
                    rows,
                )
            added += len(rows)
            if self.refused is not None or len(batch) < BATCH:
                return added

    def recorded(self) -> dict[int, str]:
        rows = self.db.rows("SELECT position, link FROM audit_seals")
        return {int(r["position"]): str(r["link"]) for r in rows}

    def verify(self) -> list[Finding]:
        """Check every stored event's MAC and place against the recorded seal."""
        return Verification(self.checker, self.recorded()).run(notifications(self.recorder))

    def export_lines(self, mapper: Mapper[UUID]) -> Iterator[dict[str, Any]]:
        """Every stored event, oldest first, with its MAC check and its seal link."""
        previous = GENESIS
        for notification in notifications(self.recorder):
            problem = problem_of(self.checker, notification)
            previous = link_hash(self.checker.seal_key, previous, notification)
            line: dict[str, Any] = {
                "position": notification.id,
                "aggregate_id": str(notification.originator_id),
                "version": notification.originator_version,
                "topic": notification.topic,
                "chain_hash": previous,
            }
            if problem is not None:
                yield line | {"integrity": problem}
                continue
            event = cast(DomainEvent, mapper.to_domain_event(notification))
            envelope = {k: _exported(v) for k, v in event.envelope().items()}
            yield line | envelope | {"data": event.facts()}


def _exported(value: Any) -> Any:
    """An envelope's value as the export writes it (instants in ``isoformat``)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return value


class Verification:
    """One pass over the events, comparing each with the seal recorded for it."""

    def __init__(self, checker: EventChecker, recorded: dict[int, str]) -> None:
        self.checker = checker
        self.recorded = recorded
        self.head = max(recorded, default=0)
        # Each link is checked from the link recorded before it, so one bad event
        # does not make every later link look bad.
        positions = sorted(recorded)
        links = [GENESIS, *(recorded[p] for p in positions[:-1])] if positions else []
        self.previous = dict(zip(positions, links, strict=True))
        self.versions: dict[UUID | str, int] = {}
        self.findings: list[Finding] = []

    def run(self, events: Iterator[Notification]) -> list[Finding]:
        seen: set[int] = set()
        for notification in events:
            seen.add(notification.id)
            self.check(notification)
        self.findings += [
            Finding(p, "removed: sealed, but no event is stored there")
            for p in self.recorded.keys() - seen
        ]
        return sorted(self.findings, key=lambda f: f.position)

    def check(self, n: Notification) -> None:
        problem = problem_of(self.checker, n)
        self.check_version(n)
        if n.id in self.recorded:
            link = link_hash(self.checker.seal_key, self.previous[n.id], n)
            if problem is not None:
                self.add(n, f"altered: {problem}")
            elif not hmac.compare_digest(link, self.recorded[n.id]):
                self.add(
                    n,
                    "reordered (or its seal rewritten): its MAC verifies, its sealed link does not",
                )
        elif n.id < self.head:
            self.add(n, "inserted: not in the seal" + (f", {problem}" if problem else ""))
        elif problem is not None:
            self.add(n, f"altered or inserted after the last seal: {problem}")

    def check_version(self, n: Notification) -> None:
        expected = self.versions.get(n.originator_id, 0) + 1
        if n.originator_version > expected:
            self.add(n, f"removed: versions {expected}..{n.originator_version - 1} missing")
        elif n.originator_version < expected:
            self.add(n, f"reordered: version {n.originator_version} after {expected - 1}")
        self.versions[n.originator_id] = max(n.originator_version, expected - 1)

    def add(self, n: Notification, problem: str) -> None:
        self.findings.append(
            Finding(n.id, f"{problem} ({n.originator_id} v{n.originator_version} {n.topic})")
        )
