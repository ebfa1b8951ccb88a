"""The projection tests' world on a database URL, and the view tables' rows to compare."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from api.bootstrap import Services, build
from api.settings import Settings
from application.clock import TestClock
from domain.aggregate import DomainEvent
from projections.schema import CUSTOMERS, DEADLINES, PARTNERS, PENDING, TRIALS
from projections.views import Views
from tests.support.world import World

VIEW_TABLES = (PENDING, CUSTOMERS, DEADLINES, PARTNERS, TRIALS)
JSON_COLUMNS = {"addons", "import_errors", "event_log", "state"}


def open_world(database_url: str, clock: TestClock, like: World | None = None) -> World:
    """A new service instance on ``database_url`` whose adds and onboardings are a minute
    apart; ``like``: another process sharing that world's partners."""
    services = build(Settings(database_url=database_url), clock)
    return World(services, like=like, step=timedelta(minutes=1))


def dump(source: Services | Views) -> dict[str, list[tuple[Any, ...]]]:
    """Every view table's rows, sorted and normalised (JSON parsed, values as text)."""
    db = source.views.db if isinstance(source, Services) else source.db
    tables: dict[str, list[tuple[Any, ...]]] = {}
    for table in VIEW_TABLES:
        rows = db.rows(f"SELECT * FROM {table.name}")
        tables[table.name] = sorted(
            tuple(_plain(db.loads(v) if n in JSON_COLUMNS else v) for n, v in r.items())
            for r in rows
        )
    return tables


def _plain(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return str(value)


class HeldFollower:
    """Holds a views follower before it applies its next events, until ``release``:
    the views stay where they are while writes go on (the follower's observers hear
    every batch before it is applied)."""

    def __init__(self, views: Views) -> None:
        self.views = views
        self._open = threading.Event()
        self.held_at = views.follower.position

    def __enter__(self) -> HeldFollower:
        self.views.follower.observers.append(self)
        return self

    def __exit__(self, *_: object) -> None:
        self.release()
        self.views.follower.observers.remove(self)

    def observe(self, events: Sequence[DomainEvent]) -> None:
        self._open.wait(timeout=30)

    def lost_track(self) -> None:
        return None

    def release(self) -> None:
        self._open.set()
