"""Signing, once, the events of a database written before events carried a MAC.

A database whose stored events all lack a MAC was written by an earlier version: the
operator's `tenantry audit sign-legacy` signs every event and snapshot as found (the
database is trusted at that moment, see README "Audit"); a start never does, since
anyone who can write the database can strip the MACs. A database with any signed event is never
signed wholesale again: an unsigned event in it was inserted without the key, and
reading or verifying it says so.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

from adapters.event_macs import PREFIX, EventMacs

log = logging.getLogger(__name__)
Row = tuple[Any, int, str, bytes]


def sign_sqlite_history(path: str, tables: Iterable[str], macs: EventMacs, wait_s: float) -> int:
    """Sign every event of a wholly unsigned SQLite database; how many were signed."""
    tables = list(tables)
    with sqlite3.connect(path, timeout=wait_s, isolation_level=None) as conn:
        conn.execute("BEGIN IMMEDIATE")  # one process at a time decides and signs
        try:
            signed = _sign_all(
                lambda sql, *args: conn.execute(sql.replace("%s", "?"), args).fetchall(),
                lambda sql, rows: conn.executemany(sql.replace("%s", "?"), rows),
                tables,
                macs,
                position="rowid",
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    conn.close()
    return signed


def sign_postgres_history(datastore: Any, tables: Iterable[str], macs: EventMacs) -> int:
    """The same on PostgreSQL; the caller holds the schema lock (one process at a time)."""
    schema = datastore.schema
    with datastore.transaction(commit=True) as curs:

        def rows(sql: str, *args: Any) -> list[Any]:
            curs.execute(sql, args)
            return [tuple(r.values()) for r in curs.fetchall()]

        def update(sql: str, values: list[tuple[Any, ...]]) -> None:
            curs.executemany(sql, values)

        tables = [f"{schema}.{t}" for t in tables]
        return _sign_all(rows, update, tables, macs, position="notification_id")


def _sign_all(
    rows: Callable[..., list[Any]],
    update: Callable[[str, list[tuple[Any, ...]]], object],
    tables: list[str],
    macs: EventMacs,
    *,
    position: str,
) -> int:
    events = tables[0]
    newest = rows(f"SELECT state FROM {events} ORDER BY {position} DESC LIMIT 1")  # noqa: S608
    if not newest or bytes(newest[0][0]).startswith(PREFIX):
        return 0
    if rows(f"SELECT 1 FROM {events} WHERE substr(state, 1, %s) = %s LIMIT 1", len(PREFIX), PREFIX):  # noqa: S608
        return 0  # signed history with unsigned events after it: not ours to sign
    signed = 0
    for table in tables:
        found: list[Row] = [
            (r[0], int(r[1]), str(r[2]), bytes(r[3]))
            for r in rows(f"SELECT originator_id, originator_version, topic, state FROM {table}")  # noqa: S608
        ]
        update(
            f"UPDATE {table} SET state = %s WHERE originator_id = %s AND originator_version = %s",  # noqa: S608
            [
                (macs.sign(UUID(str(i)), v, t, s), i, v)
                for i, v, t, s in found
                if not s.startswith(PREFIX)
            ],
        )
        signed += len(found)
    log.warning(
        "signed %d stored events and snapshots written before events carried a MAC; "
        "they are trusted as they were found now",
        signed,
    )
    return signed
