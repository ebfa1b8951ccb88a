"""Retention: rows the service keeps for a while only, purged by the background work in
bounded batches, each table's count of purged rows kept for ``/metrics``. Events, the
views and the audit seal are never purged here.

A rule names a table and the condition that makes a row old enough, with one ``?`` for
the cutoff: an instant of the service's clock, or wall-clock epoch seconds for tables
that keep leases in them."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from application.clock import Clock
from projections.sql import Database

log = logging.getLogger(__name__)
BATCH = 500  # rows a statement deletes at most
BATCHES = 20  # statements a table gets in one run; the rest waits for the next run
ROW_KEY = {"sqlite": "rowid", "postgres": "ctid"}


@dataclass(frozen=True)
class Rule:
    table: str
    old: str  # e.g. "at < ?"
    keep: timedelta
    wall_clock: bool = False  # the cutoff in epoch seconds, not the service's instant


@dataclass(eq=False)
class Retention:
    db: Database
    clock: Clock
    rules: Sequence[Rule]
    batch: int = BATCH
    batches: int = BATCHES
    # Purges kept by their own stores (name, purge): run and counted beside the rules.
    others: Sequence[tuple[str, Callable[[], int]]] = ()
    purged: dict[str, int] = field(default_factory=dict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def purge(self) -> int:
        """One run: at most ``batches`` statements a rule; how many rows went."""
        total = 0
        for rule in self.rules:
            total += self._count(rule.table, self._purge(rule))
        for table, purge in self.others:
            total += self._count(table, purge())
        return total

    def counts(self) -> dict[str, float]:
        """Rows purged so far by table, for ``/metrics`` (every table, zero included)."""
        with self._lock:
            tables = [r.table for r in self.rules] + [t for t, _ in self.others]
            return {t: float(self.purged.get(t, 0)) for t in tables}

    def _purge(self, rule: Rule) -> int:
        cutoff: object = (
            time.time() - rule.keep.total_seconds()
            if rule.wall_clock
            else self.clock.now() - rule.keep
        )
        key = ROW_KEY[self.db.dialect]
        statement = (
            f"DELETE FROM {rule.table} WHERE {key} IN "  # noqa: S608 - names from the rules
            f"(SELECT {key} FROM {rule.table} WHERE {rule.old} LIMIT {int(self.batch)})"
        )
        gone = 0
        for _ in range(self.batches):
            with self.db.transaction() as tx:
                deleted = tx.execute(statement, [cutoff])
            gone += deleted
            if deleted < self.batch:
                break
        return gone

    def _count(self, table: str, rows: int) -> int:
        if rows:
            log.info("retention: %d rows purged from %s", rows, table)
        with self._lock:
            self.purged[table] = self.purged.get(table, 0) + rows
        return rows
