"""Someone with write access to the database but not the key: direct SQL on the events."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import Notification

from adapters.audit_chain import GENESIS, link_hash
from adapters.mapper import JSONBytes, PydanticMapper, topic_registry
from domain.aggregate import DomainEvent

ATTACKERS_KEY = b"a key the attacker made up, not the service's"


class Tampering:
    """Direct SQL on the event store of ``url`` (SQLite or PostgreSQL)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sqlite = url.startswith("sqlite")
        self.position = "rowid" if self.sqlite else "notification_id"
        self.tables = ("stored" if self.sqlite else "tenantry") + "_"

    def sql(self, statement: str) -> str:
        return (
            statement.replace("{position}", self.position)
            .replace("{events}", self.tables + "events")
            .replace("{snapshots}", self.tables + "snapshots")
        )

    def rows(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        sql = self.sql(sql)
        if self.sqlite:
            with sqlite3.connect(self.url.removeprefix("sqlite:///")) as conn:
                return conn.execute(sql.replace("%s", "?"), args).fetchall()
        with psycopg.connect(self.url) as conn:
            cursor = conn.execute(sql, args)
            return cursor.fetchall() if cursor.description else []

    def execute(self, *statements: tuple[str, Sequence[Any]]) -> None:
        """Statements in one transaction."""
        if self.sqlite:
            with sqlite3.connect(self.url.removeprefix("sqlite:///")) as conn:
                for sql, args in statements:
                    conn.execute(self.sql(sql).replace("%s", "?"), args)
            return
        with psycopg.connect(self.url) as conn:
            for sql, args in statements:
                conn.execute(self.sql(sql), args)

    def state(self, position: int) -> bytes:
        [(state,)] = self.rows("SELECT state FROM {events} WHERE {position} = %s", position)
        return bytes(state)

    def alter(self, position: int, old: bytes, new: bytes) -> None:
        """Change the stored bytes of the event at ``position``, its MAC left as it was."""
        altered = self.state(position).replace(old, new)
        self.execute(("UPDATE {events} SET state = %s WHERE {position} = %s", (altered, position)))

    def alter_snapshots(self, old: bytes, new: bytes) -> None:
        rows = self.rows("SELECT originator_id, originator_version, state FROM {snapshots}")
        self.execute(
            *(
                (
                    "UPDATE {snapshots} SET state = %s "
                    "WHERE originator_id = %s AND originator_version = %s",
                    (bytes(state).replace(old, new), originator, version),
                )
                for originator, version, state in rows
            )
        )

    def insert(self, event: DomainEvent, position: int | None = None) -> int:
        """Store ``event`` as the library would, but without the service's key (at
        ``position``, or the next one)."""
        stored = PydanticMapper(JSONBytes(), topic_registry()).to_stored_event(event)
        originator: object = stored.originator_id.hex if self.sqlite else stored.originator_id
        values = (originator, stored.originator_version, stored.topic, stored.state)
        columns = "originator_id, originator_version, topic, state"
        if position is None:
            sql = f"INSERT INTO {{events}} ({columns}) VALUES (%s, %s, %s, %s)"
        else:
            values += (position,)
            sql = f"INSERT INTO {{events}} ({columns}, {{position}}) VALUES (%s, %s, %s, %s, %s)"
        self.execute((sql, values))
        if position is not None:
            return position
        return int(self.rows("SELECT MAX({position}) FROM {events}")[0][0])

    def delete(self, position: int) -> None:
        self.execute(("DELETE FROM {events} WHERE {position} = %s", (position,)))

    def swap(self, first: int, second: int) -> None:
        """Exchange the positions of two events."""
        move = "UPDATE {events} SET {position} = %s WHERE {position} = %s"
        self.execute((move, (-1, first)), (move, (first, second)), (move, (second, -1)))

    def strip_macs(self) -> None:
        """Make the store look like one written before events carried a MAC."""
        for table in ("{events}", "{snapshots}"):
            rows = self.rows("SELECT originator_id, originator_version, state FROM " + table)
            self.execute(
                *(
                    (
                        "UPDATE " + table + " SET state = %s "
                        "WHERE originator_id = %s AND originator_version = %s",
                        (b"{" + bytes(state)[75:], originator, version),
                    )
                    for originator, version, state in rows
                )
            )
        self.execute(("DELETE FROM audit_seals", ()))

    def reseal(self, after: int = 0) -> None:
        """Rewrite the seal from ``after`` on, as well as one can without the key."""
        previous = GENESIS
        if after:
            [(previous,)] = self.rows("SELECT link FROM audit_seals WHERE position = %s", after)
        events = self.rows(
            "SELECT {position}, originator_id, originator_version, topic, state "
            "FROM {events} WHERE {position} > %s ORDER BY {position}",
            after,
        )
        statements: list[tuple[str, Sequence[Any]]] = [
            ("DELETE FROM audit_seals WHERE position > %s", (after,))
        ]
        for position, originator, version, topic, state in events:
            notification = Notification(
                id=position,
                originator_id=UUID(str(originator)),
                originator_version=version,
                topic=topic,
                state=bytes(state),
            )
            previous = link_hash(ATTACKERS_KEY, str(previous), notification)
            statements.append(
                ("INSERT INTO audit_seals (position, link) VALUES (%s, %s)", (position, previous))
            )
        self.execute(*statements)
