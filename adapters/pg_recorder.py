"""One round trip per save on PostgreSQL, with the library's table lock kept.

The library's recorder saves in a pipelined transaction: ``SET LOCAL lock_timeout``,
``LOCK TABLE … IN EXCLUSIVE MODE``, ``NOTIFY``, ``INSERT … RETURNING``, a sync to see
a conflict, then ``COMMIT``: two to three round trips while the lock is held, so
every writer waits for them. Its ``POSTGRES_ENABLE_DB_FUNCTIONS`` path takes one round
trip but drops the lock, and then ids no longer commit in order: a follower reading
the notification log could pass an id whose transaction commits later.

This recorder does what the library's transaction does, inside one server-side
function called in autocommit mode: the lock is taken inside the statement's own
transaction and held until it commits, so ids still commit in order, and the lock is
held for the insert and the commit only, not for network round trips.

A save whose events bring a subject's data key, or erase one (adapters/data_keys.py),
upserts the key's row (and deletes the subject's snapshots) in data-modifying ``WITH``
clauses of the same statement: one round trip, one transaction.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg.sql import SQL, Composed, Identifier

from adapters.data_keys import erased_subjects, key_rows, settled
from adapters.library_shim import KeyedReads
from adapters.sql.postgres import SCHEMA_LOCK

TOPIC = "adapters.pg_recorder:LockingInsertRecorder"


class LockingInsertRecorder(KeyedReads, PostgresApplicationRecorder):
    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        self.keys_table = SQL("{0}.data_keys").format(Identifier(datastore.schema))
        # Named after the table: stores with other tables in the schema keep their own.
        self.insert_one = f"{self.events_table_name}_insert_event"
        self.insert_many = f"{self.events_table_name}_insert_events"
        schema = Identifier(datastore.schema)
        table = Identifier(self.events_table_name)
        # One function for a single event (the common save: scalar parameters are
        # the cheapest to send) and one for several (parallel arrays, not the
        # library's composite array, which costs more to encode than the insert).
        body = SQL(
            "SET LOCAL lock_timeout = '{lock_timeout}s'; "
            "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
            "NOTIFY {channel}; "
            "RETURN QUERY INSERT INTO {schema}.{table} AS t "
            "(originator_id, originator_version, topic, state) "
        ).format(
            lock_timeout=datastore.lock_timeout,
            schema=schema,
            table=table,
            channel=Identifier(self.channel_name),
        )
        id_type = SQL(datastore.originator_id_type)
        self.create_insert_functions: list[Composed] = []
        for function, params, rows in (
            (
                self.insert_one,
                SQL("i {0}, v bigint, t text, s bytea").format(id_type),
                SQL("VALUES (i, v, t, s)"),
            ),
            (
                self.insert_many,
                SQL("i {0}[], v bigint[], t text[], s bytea[]").format(id_type),
                SQL("SELECT * FROM unnest(i, v, t, s)"),
            ),
        ):
            self.create_insert_functions.append(
                SQL(
                    "CREATE OR REPLACE FUNCTION {schema}.{function}({params}) "
                    "RETURNS SETOF bigint LANGUAGE plpgsql AS $BODY$ "
                    "BEGIN {body} {rows} RETURNING notification_id; END; $BODY$"
                ).format(
                    schema=schema,
                    function=Identifier(function),
                    params=params,
                    body=body,
                    rows=rows,
                )
            )
        self._insert_one = SQL("SELECT * FROM {0}.{1}(%s, %s, %s, %s)").format(
            schema, Identifier(self.insert_one)
        )
        self._insert_many = SQL("SELECT * FROM {0}.{1}(%s, %s, %s, %s)").format(
            schema, Identifier(self.insert_many)
        )
        self.create_keys_table = SQL(
            "CREATE TABLE IF NOT EXISTS {0} (subject_id uuid PRIMARY KEY, key bytea,"
            " created_at double precision NOT NULL, erased_at double precision)"
        ).format(self.keys_table)
        self._upsert_keys = SQL(
            "WITH k AS (INSERT INTO {0} (subject_id, key, created_at, erased_at)"
            " SELECT * FROM unnest(%s::uuid[], %s::bytea[], %s::float8[], %s::float8[])"
            " ON CONFLICT (subject_id) DO UPDATE"
            " SET key = excluded.key, erased_at = excluded.erased_at) "
        ).format(self.keys_table)
        self._select_keys = SQL(
            "SELECT subject_id, key FROM {0} WHERE subject_id = ANY(%s)"
        ).format(self.keys_table)

    def create_table(self) -> None:
        """The library's tables, then the insert functions (which name the table)."""
        super().create_table()
        with self.datastore.transaction(commit=True) as curs:
            for statement in self.create_insert_functions:
                curs.execute(statement, prepare=False)
            curs.execute(self.create_keys_table, prepare=False)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # No retry here (the library's is a decorator): whether a save whose
        # acknowledgement was lost landed is for the unit of work to find out.
        if not stored_events:
            return []
        params: tuple[object, ...]
        if len(stored_events) == 1:
            (e,) = stored_events
            statement, column = self._insert_one, self.insert_one
            params = (e.originator_id, e.originator_version, e.topic, e.state)
        else:
            statement, column = self._insert_many, self.insert_many
            params = (
                [e.originator_id for e in stored_events],
                [e.originator_version for e in stored_events],
                [e.topic for e in stored_events],
                [e.state for e in stored_events],
            )
        rows = key_rows(stored_events, time.time())
        if rows:
            statement, params = self._with_keys(statement, params, rows, stored_events)
        with (
            settled(self.data_keys, stored_events),
            self.datastore.get_connection() as conn,
            conn.cursor() as curs,
        ):
            curs.execute(statement, params, prepare=True)
            ids = [row[column] for row in curs.fetchall()]
        return ids

    def _with_keys(
        self,
        statement: Composed,
        params: tuple[object, ...],
        rows: list[tuple[UUID, bytes | None, float, float | None]],
        stored_events: Sequence[StoredEvent],
    ) -> tuple[Composed, tuple[object, ...]]:
        """The insert, with the keys' rows upserted (and the erased subjects' snapshots
        deleted) by the same statement."""
        keyed = self._upsert_keys
        extra: tuple[object, ...] = tuple(list(column) for column in zip(*rows, strict=True))
        erased = erased_subjects(stored_events)
        if erased and self.snapshots_table:
            keyed += SQL(
                ", s AS (DELETE FROM {0}.{1} WHERE originator_id = ANY(%s::uuid[])) "
            ).format(Identifier(self.datastore.schema), Identifier(self.snapshots_table))
            extra += (erased,)
        return keyed + statement, (*extra, *params)

    def select_data_keys(self, subjects: Sequence[UUID]) -> dict[UUID, bytes | None]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._select_keys, [list(subjects)], prepare=False)
            return {
                row["subject_id"]: None if row["key"] is None else bytes(row["key"])
                for row in curs.fetchall()
            }


@contextmanager
def schema_lock(env: Mapping[str, str]) -> Iterator[None]:
    """One process at a time creates the tables, types and functions.

    ``CREATE … IF NOT EXISTS`` is not safe against a concurrent create: processes
    started together on a new database failed with ``pg_type_typname_nsp_index``.
    A session advisory lock, released when its connection closes, serializes them.
    """
    if env.get("PERSISTENCE_MODULE") != "eventsourcing.postgres":
        yield
        return
    with psycopg.connect(
        host=env["POSTGRES_HOST"],
        port=env["POSTGRES_PORT"],
        dbname=env["POSTGRES_DBNAME"],
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"],
        connect_timeout=int(env.get("POSTGRES_CONNECT_TIMEOUT", "10")),
        autocommit=True,
    ) as conn:
        conn.execute("SET lock_timeout = '60s'")  # not forever behind a stuck process
        # The views' schema creation takes the same lock (projections/sql.py).
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", [SCHEMA_LOCK])
        yield
