"""What the event store needs of eventsourcing that its public settings do not give.

Checked against eventsourcing 9.5.6; tests/unit/application/test_library_shim.py
fails if the library changes underneath.

SQLite's write wait: the library's SQLite pool gives up after ``pool_timeout`` (5 s)
and no environment variable sets it (``SQLITE_LOCK_TIMEOUT`` is SQLite's own file
lock). This factory builds the datastore again, as the library's factory did, with the
pool's wait set in its constructor. Its pool opens no connection before the first
use, so the one built first is closed untouched.
"""

from __future__ import annotations

from eventsourcing.sqlite import SQLiteDatastore, SQLiteFactory
from eventsourcing.utils import Environment, EnvType


class WaitingSQLiteFactory(SQLiteFactory):
    """The library's SQLite factory whose pool waits ``pool_timeout`` seconds for a
    connection."""

    def __init__(self, env: Environment | EnvType | None, *, pool_timeout: float) -> None:
        super().__init__(env)
        built = self.datastore
        self.datastore = SQLiteDatastore(
            db_name=built.pool.db_name,
            lock_timeout=built.pool.lock_timeout,
            pool_timeout=pool_timeout,
            single_row_tracking=built.single_row_tracking,
            originator_id_type=built.originator_id_type,
        )
        built.close()
