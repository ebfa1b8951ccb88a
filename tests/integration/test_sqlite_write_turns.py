"""On one SQLite file, the events' writers and the views' writers take turns on one lock."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from adapters.sql.sqlite import SQLiteDatabase
from adapters.sql.sqlite_writer import writer_lock, writing


def test_every_opener_of_a_file_shares_its_writer_lock(tmp_path: Path) -> None:
    # Given one file named two ways, and another file
    path = tmp_path / "tenantry.db"
    # Then the two names give one lock, the other file another
    assert writer_lock(str(path)) is writer_lock(str(tmp_path / "." / "tenantry.db"))
    assert writer_lock(str(path)) is not writer_lock(str(tmp_path / "other.db"))


def test_a_views_write_waits_for_the_writer_in_its_turn(tmp_path: Path) -> None:
    # Given a views' database and a writer of the same file holding its turn
    path = str(tmp_path / "tenantry.db")
    db = SQLiteDatabase(path, busy_timeout_s=0.2)
    with db.transaction() as tx:
        tx.execute("CREATE TABLE t (n INTEGER)")
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with writing(path, 5):
            held.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    try:
        # When the views write meanwhile, past their budget
        # Then they are refused as busy (a 503), not left to SQLite's polling
        with (
            pytest.raises(sqlite3.OperationalError, match="waiting to write"),
            db.transaction() as tx,
        ):
            tx.execute("INSERT INTO t VALUES (1)")
    finally:
        release.set()
        holder.join()
    # And once the turn is free, the write goes through
    with db.transaction() as tx:
        tx.execute("INSERT INTO t VALUES (2)")
    assert db.rows("SELECT n FROM t") == [{"n": 2}]
    db.close()


def test_a_writer_may_write_again_inside_its_own_turn(tmp_path: Path) -> None:
    # Given a views' transaction in progress on a thread
    db = SQLiteDatabase(str(tmp_path / "tenantry.db"), busy_timeout_s=0.5)
    # When the same thread takes the turn again (the event store's save inside it)
    with db.transaction() as tx, writing(db.path, 0.5):
        tx.execute("CREATE TABLE t (n INTEGER)")
    # Then it does not wait for itself
    assert db.rows("SELECT count(*) AS n FROM t") == [{"n": 0}]
    db.close()
