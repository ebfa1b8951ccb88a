"""The views as one service: tables, the follower that keeps them, queries, rebuilds."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Mapper

from domain.values import Policy
from projections import positions
from projections.customers import CustomerViews
from projections.directory import ViewsDirectory
from projections.events_feed import EventsFeedIndex, FeedReader
from projections.failures import ProjectionFailed
from projections.follower import Follower
from projections.keys import KeyViews
from projections.partners import PartnerViews
from projections.projection import Projection
from projections.reader import CustomerReader
from projections.rebuild import Histories, rebuild_all
from projections.schema import create_all, create_positions, loosen
from projections.sql import Database
from projections.trial_analytics import ViewsTrialCounts
from projections.trials import TrialViews
from projections.users import UserDirectory, UserViews
from projections.webhooks import WebhookDeliveries, WebhookRoutes

READ_YOUR_WRITES_TIMEOUT = 2.0


class Views:
    def __init__(  # noqa: PLR0913
        self,
        db: Database,
        recorder: ApplicationRecorder,
        mapper: Mapper[UUID],
        policy: Policy,
        histories: Histories,
        *,
        batch_size: int = 500,
    ) -> None:
        self.recorder = recorder
        self.histories = histories
        self.mapper = mapper
        self.db = db
        self.webhook_deliveries = WebhookDeliveries()
        self.projections: list[Projection[Any]] = [
            CustomerViews(policy),
            PartnerViews(),
            self.webhook_deliveries,
            EventsFeedIndex(),
            KeyViews(),
            UserViews(),
            TrialViews(),
        ]
        stale = self._create_tables()
        self.follower = Follower(recorder, mapper, self.db, self.projections, batch_size=batch_size)
        if stale:  # a view of an earlier schema that SQLite cannot alter: rebuilt once
            self.rebuild("customers")
        self.follower.refresh()
        self.reader = CustomerReader(self.db, self.wait_until, self.wait_until_current)
        self.webhook_routes = WebhookRoutes(self.db, self.wait_until_current)
        self.feed = FeedReader(self.db, lambda: self.follower.position)
        self.directory = ViewsDirectory(self.db, self.wait_until_current)
        self.users = UserDirectory(self.db, self.wait_until_current)
        self.trial_counts = ViewsTrialCounts(self.db, self.wait_until_current)

    def _create_tables(self) -> bool:
        """Create what is missing; True when the customer views must be rebuilt."""
        with self.db.schema_transaction() as tx:
            if self.db.dialect == "postgres":
                tx.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            create_positions(tx)
            for projection in self.projections:
                create_all(tx, projection.tables + projection.kept_tables, self.db.dialect)
            positions.ensure(tx, [p.name for p in self.projections])
            return loosen(tx, self.db.dialect)

    # ------------------------------------------------------------ lifecycle
    def start(self) -> None:
        self.follower.start()

    def stop(self) -> None:
        self.follower.stop()

    def close(self) -> None:
        self.follower.stop()
        self.db.close()

    def wait_until_current(self, timeout: float = READ_YOUR_WRITES_TIMEOUT) -> bool:
        """Block until the views reflect every event committed before the call, at most
        ``timeout`` seconds (2 s by default); False when the bound was hit."""
        return self.wait_until(self.recorder.max_notification_id() or 0, timeout)

    def wait_until(self, position: int, timeout: float = READ_YOUR_WRITES_TIMEOUT) -> bool:
        """Block until the views reflect every event up to ``position``, at most
        ``timeout`` seconds; False when the bound was hit. Without a running follower in
        this process, the caller's thread catches the views up."""
        if self.follower.position >= position:
            return True
        if self.follower.running:
            return self.follower.wait_for(position, timeout)
        deadline = time.monotonic() + timeout
        while self.follower.position < position:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                caught_up = self.follower.catch_up(remaining)
            except ProjectionFailed as error:  # the views stay as they are: say so
                self.follower.report(error)
                return False
            if caught_up and self.follower.position < position:
                return False  # nothing more to read: the position is not (yet) stored
        self.follower.last_error = None
        return True

    def rebuild(
        self, name: str | None = None, on_batch: Callable[[int], object] | None = None
    ) -> dict[str, int]:
        """Rebuild one projection (or all) from the events; their rebuilt positions."""
        chosen = [p for p in self.projections if name in (None, p.name)]
        if not chosen:
            known = ", ".join(p.name for p in self.projections)
            raise ValueError(f"no projection named {name!r} (known: {known})")
        done = rebuild_all(
            self.db, self.recorder, self.histories, self.mapper, chosen, on_batch=on_batch
        )
        self.follower.refresh()
        return done
