"""The events feed's index: one row per customer event that webhooks carry, with its
position in the notification log and who may see it.

Kept by the follower like every view, in the transaction that stores its position: the
feed pages through ``(partner_id, position)`` or ``(distributor_id, position)`` (an
index each), so a partner with few events among many reads only its own rows. The
rows are facts that never change (an event's position, its customer's owners), so the
table is kept, not rebuilt: a rebuild rebuilds the owners and leaves the rows alone.
Like the webhooks' deliveries, rows come only from the live follower: a rebuild moves
the position to the log's head as it was at the rebuild's start, so events the follower
had not read by then (a rebuild run while no follower was keeping up) get no row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from application.authorization import Visibility
from application.events_feed import FeedEntry
from domain.aggregate import DomainEvent
from domain.customer import Customer
from domain.webhook_types import type_of
from projections.customer_owners import (
    Owner,
    evolve_owner,
    fetch_owners,
    owners_table,
    write_owners,
)
from projections.projection import Projection, in_list, unique_ids
from projections.reader import scopes
from projections.schema import Table, column_list
from projections.sql import Database, Tx

OWNERS = owners_table("view_feed_customers")
FEED = Table(
    name="events_feed",
    columns=column_list(
        """
        position          BIGINT NOT NULL
        customer_id       {uuid} NOT NULL
        customer_version  INTEGER NOT NULL
        partner_id        {uuid} NOT NULL
        distributor_id    {uuid}
        event_type        TEXT NOT NULL
        """
    ),
    primary_key=("position",),
    indexes=(("partner_id", "position"), ("distributor_id", "position")),
)
APPEND = (
    f"INSERT INTO {FEED.name} ({', '.join(FEED.column_names)}) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (position) DO NOTHING"
)


class EventsFeedIndex(Projection[Owner]):
    name = "events_feed"
    tables = (OWNERS,)
    kept_tables = (FEED,)

    def handles(self, event: DomainEvent) -> bool:
        return isinstance(event, Customer.Event | Customer.Created)

    def version(self, record: Owner) -> int:
        return record.version

    def evolve(self, record: Owner | None, event: DomainEvent) -> Owner:
        return evolve_owner(record, event, "the events feed")

    def fetch(self, tx: Tx, ids: Sequence[UUID]) -> Callable[[], dict[UUID, Owner]]:
        return fetch_owners(tx, OWNERS, ids)

    def write(
        self, tx: Tx, records: Sequence[Owner], *, suffix: str = "", fresh: bool = False
    ) -> None:
        write_owners(tx, OWNERS, records, suffix=suffix, fresh=fresh)

    def prepare(
        self, tx: Tx, numbered: Sequence[tuple[int, DomainEvent]]
    ) -> Callable[[], None] | None:
        if not (mine := self.handled(numbered)):
            return None
        loaded = self.fetch(tx, unique_ids(e for _, e in mine))

        def finish() -> None:
            records = loaded()
            touched: set[UUID] = set()
            entries: list[tuple[Any, ...]] = []
            for position, event, owner in self.feed_numbered(records, mine, touched):
                event_type = type_of(event)
                if event_type is not None:
                    entries.append(
                        (
                            position,
                            owner.id,
                            owner.version,
                            owner.partner_id,
                            owner.distributor_id,
                            event_type,
                        )
                    )
            self.write(tx, [records[i] for i in touched])
            tx.executemany(APPEND, entries)

        return finish


class FeedReader:
    """The feed's rows (``application.events_feed.FeedIndex``)."""

    def __init__(self, db: Database, reached: Callable[[], int]) -> None:
        self.db = db
        self.reached = reached

    def position(self) -> int:
        return self.reached()

    def after(
        self,
        position: int,
        visibility: Visibility,
        types: Sequence[str],
        limit: int,
    ) -> list[FeedEntry]:
        typed = f" AND event_type IN {in_list(types)}" if types else ""
        rows: list[dict[str, Any]] = []
        for scope, params in scopes(visibility):  # one ordered index scan each, merged
            rows += self.db.rows(
                f"SELECT position, customer_id, customer_version, event_type FROM {FEED.name} "
                f"WHERE {scope} AND position > ?{typed} ORDER BY position LIMIT ?",
                [*params, position, *types, limit],
            )
        found = {int(r["position"]): r for r in rows}
        return [
            FeedEntry(p, _uuid(r["customer_id"]), int(r["customer_version"]), r["event_type"])
            for p, r in sorted(found.items())[:limit]
        ]


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))
