"""projection.copy_text_vs_write_row: a rebuild's seconds with our COPY text encoder
against the same rebuild with psycopg's ``Copy.write_row`` (adapters/sql/copy.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any

from adapters.event_store import open_event_store
from adapters.histories import histories_of
from adapters.sql.copy import COPY_BLOCK
from adapters.sql.postgres import PostgresDatabase
from benchmarks.harness import emit
from benchmarks.projection_bench import load
from domain.values import Policy
from projections.views import Views

CUSTOMERS = 20_000  # 30,000 events: each rebuild takes a few seconds
ROUNDS = 3


class WriteRowDatabase(PostgresDatabase):
    """The views' database with every row sent by psycopg's ``Copy.write_row``."""

    def copy_blocks(self, rows: Sequence[Sequence[Any]]) -> Iterator[str | Sequence[Sequence[Any]]]:
        for start in range(0, len(rows), COPY_BLOCK):
            yield rows[start : start + COPY_BLOCK]


def rebuild_seconds(url: str, database: type[PostgresDatabase]) -> float:
    store = open_event_store(url)
    db = database(url)
    views = Views(db, store.recorder, store.mapper, Policy(), histories_of(db, store.recorder))
    try:
        started = time.perf_counter()
        views.rebuild()
        return time.perf_counter() - started
    finally:
        views.close()
        store.close()


def run(url: str) -> None:
    load(url, CUSTOMERS)
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(ROUNDS):  # interleaved, so both see the same machine
        ours.append(rebuild_seconds(url, PostgresDatabase))
        theirs.append(rebuild_seconds(url, WriteRowDatabase))
    emit("projection.copy_text_vs_write_row", min(ours), "s", min(theirs))
