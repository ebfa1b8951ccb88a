"""The events feed: the payloads the webhooks send, for the customers the caller sees,
in the notification log's order, a page at a time.

A cursor is opaque (base64url JSON of the position it stops at). A page that is not
full says every event the caller may see up to the position the index had reached, so
its cursor moves past that position: the next call reads nothing already passed over.
Waiting for new events is the caller's (api/routes/events.py): on the index's progress.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from application.authorization import Visibility, visible_to
from application.unit_of_work import UnitOfWork
from application.webhook_payloads import Occurrence, payloads
from domain.errors import ValidationFailed
from domain.values import Actor
from domain.webhook_types import EVENT_TYPES

CURSOR = "events"


@dataclass(frozen=True)
class FeedEntry:
    position: int
    customer_id: UUID
    customer_version: int
    event_type: str


class FeedIndex(Protocol):
    """Implemented by projections/events_feed.py."""

    def position(self) -> int:
        """The position up to which the index holds every event."""
        ...

    def after(
        self, position: int, visibility: Visibility, types: Sequence[str], limit: int
    ) -> list[FeedEntry]:
        """Up to ``limit`` entries after ``position`` that ``visibility`` admits, of
        ``types`` (empty: all), in position order."""
        ...


@dataclass(frozen=True)
class EventPage:
    """The payloads (each the JSON a webhook delivery's body is), the cursor of what
    follows, and the position the page covers (every visible event up to it is in this
    page or before)."""

    items: list[bytes]
    next_cursor: str
    covered: int


@dataclass
class EventsFeed:
    uow: UnitOfWork
    index: FeedIndex

    def page(self, *, by: Actor, after: str | None, types: Sequence[str], limit: int) -> EventPage:
        start = 0 if after is None else decode_cursor(after)
        wanted = check_types(types)
        reached = self.index.position()  # read first: the rows up to it are all there
        entries = self.index.after(start, visible_to(by), wanted, limit)
        full = len(entries) == limit
        last = entries[-1].position if entries else start
        covered = last if full else max(last, reached)
        occurrences = [
            Occurrence(e.customer_id, e.customer_version, e.event_type, e.position) for e in entries
        ]
        return EventPage(payloads(self.uow, occurrences), encode_cursor(covered), covered)


def check_types(types: Sequence[str]) -> tuple[str, ...]:
    named = [t.strip() for given in types for t in given.split(",") if t.strip()]
    unknown = sorted(set(named) - set(EVENT_TYPES))
    if unknown:
        raise ValidationFailed("types", f"unknown event types: {', '.join(unknown)}")
    return tuple(dict.fromkeys(named))


def encode_cursor(position: int) -> str:
    raw = json.dumps({"v": CURSOR, "p": position}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The position a cursor holds; anything but a cursor of the feed is ``validation``
    naming ``after``."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        data = None
    match data:
        case {"v": str(v), "p": int(p)} if v == CURSOR and 0 <= p < 2**63:
            return p
    raise ValidationFailed("after", "is not a cursor of this list")
