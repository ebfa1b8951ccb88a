"""Where each projection is in the notification log, stored with its rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from projections.schema import POSITIONS
from projections.sql import Database, Tx


def ensure(tx: Tx, names: Iterable[str]) -> None:
    for name in names:
        tx.execute(
            f"INSERT INTO {POSITIONS} (name, position) VALUES (?, 0) ON CONFLICT (name) DO NOTHING",
            [name],
        )


def read(tx: Tx, names: Iterable[str], *, lock: bool) -> dict[str, int]:
    """The stored positions; ``lock`` holds their rows until the transaction ends."""
    return fetch(tx, names, lock=lock)()


def fetch(tx: Tx, names: Iterable[str], *, lock: bool) -> Callable[[], dict[str, int]]:
    """``read``, sent now and answered when called (``Tx.query``). ``lock`` takes the
    rows in name order, so that two processes' followers never hold them crosswise
    (SQLite's ``BEGIN IMMEDIATE`` already holds the whole database)."""
    wanted = list(names)
    marks = ", ".join("?" for _ in wanted)
    suffix = " FOR UPDATE" if lock and tx.db.dialect == "postgres" else ""
    answer = tx.query(
        f"SELECT name, position FROM {POSITIONS} WHERE name IN ({marks}) ORDER BY name{suffix}",
        wanted,
    )
    return lambda: {r["name"]: int(r["position"]) for r in answer()}


def stored(db: Database, names: Iterable[str]) -> dict[str, int]:
    wanted = list(names)
    marks = ", ".join("?" for _ in wanted)
    rows = db.rows(f"SELECT name, position FROM {POSITIONS} WHERE name IN ({marks})", wanted)
    return {r["name"]: int(r["position"]) for r in rows}


def write(tx: Tx, names: Iterable[str], position: int) -> None:
    """Move every one of ``names`` to ``position``: one statement for a batch."""
    wanted = list(names)
    if not wanted:
        return
    marks = ", ".join("?" for _ in wanted)
    tx.execute(f"UPDATE {POSITIONS} SET position = ? WHERE name IN ({marks})", [position, *wanted])
