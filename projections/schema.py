"""The views' tables, described once and created on SQLite or PostgreSQL.

Names are stable: analysts query them (see docs/views.md). A rebuild creates each
table again with the suffix ``_next`` and swaps it in (projections/rebuild.py).

One piece (a little under 300 lines): ``Table`` writes each statement for both dialects
from one description; the rest is the few helpers that create the tables with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from projections.sql import Dialect, Tx

SHADOW = "_next"


def column_list(*blocks: str) -> tuple[tuple[str, str], ...]:
    """Columns written as in SQL, one a line: the name, then its type (``{uuid}`` and the
    like: projections/sql.py); ``--`` starts a comment."""
    lines = (line.split("--")[0].split() for block in blocks for line in block.splitlines())
    return tuple((words[0], " ".join(words[1:])) for words in lines if words)


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[tuple[str, str], ...]
    primary_key: tuple[str, ...]
    indexes: tuple[tuple[str, ...], ...] = ()
    searchable: bool = False  # a trigram index on name_lower (PostgreSQL)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)

    def create(self, suffix: str = "") -> str:
        columns = ", ".join(f"{name} {kind}" for name, kind in self.columns)
        key = ", ".join(self.primary_key)
        return (
            f"CREATE TABLE IF NOT EXISTS {self.name}{suffix} ({columns}, "
            f"CONSTRAINT {self.name}_pkey{suffix} PRIMARY KEY ({key}))"
        )

    def index_names(self, dialect: Dialect) -> list[str]:
        names = [f"{self.name}_{'_'.join(cols)}_idx" for cols in self.indexes]
        if self.searchable and dialect == "postgres":
            names.append(f"{self.name}_name_trgm_idx")
        return names

    def create_indexes(self, dialect: Dialect, suffix: str = "") -> list[str]:
        table = f"{self.name}{suffix}"
        statements = [
            f"CREATE INDEX IF NOT EXISTS {self.name}_{'_'.join(cols)}_idx{suffix} "
            f"ON {table} ({', '.join(cols)})"
            for cols in self.indexes
        ]
        if self.searchable and dialect == "postgres":
            statements.append(
                f"CREATE INDEX IF NOT EXISTS {self.name}_name_trgm_idx{suffix} "
                f"ON {table} USING gin (name_lower gin_trgm_ops)"
            )
        return statements

    def insert(self, suffix: str = "") -> str:
        names = self.column_names
        marks = ", ".join("?" for _ in names)
        return f"INSERT INTO {self.name}{suffix} ({', '.join(names)}) VALUES ({marks})"

    def upsert(self) -> str:
        updates = ", ".join(
            f"{n} = excluded.{n}" for n in self.column_names if n not in self.primary_key
        )
        return (
            f"{self.insert()} ON CONFLICT ({', '.join(self.primary_key)}) DO UPDATE SET {updates}"
        )

    def write(
        self, tx: Tx, rows: Sequence[Sequence[Any]], *, suffix: str = "", fresh: bool = False
    ) -> None:
        """Bulk-insert ``rows`` into a fresh table (a rebuild's), else upsert them."""
        if fresh:
            tx.insert_many(self.name + suffix, self.column_names, rows)
        else:
            tx.executemany(self.upsert(), rows)


COMMON = """
    id                  {uuid} NOT NULL
    version             INTEGER NOT NULL
    created_at          {instant} NOT NULL
    modified_at         {instant} NOT NULL
    organization_name   TEXT NOT NULL
    name_lower          TEXT NOT NULL
    notification_email  TEXT  -- NULL once the customer's personal data was erased
    status              TEXT NOT NULL
    sku                 TEXT NOT NULL
    addons              {json} NOT NULL
    partner_id          {uuid} NOT NULL
    distributor_id      {uuid}
    source              TEXT NOT NULL
    automatic_upgrade   {bool} NOT NULL
"""

PENDING = Table(
    name="view_pending_customers",
    columns=column_list(
        COMMON,
        """
        link_version        INTEGER NOT NULL
        link_issued_at      {instant} NOT NULL
        link_expires_at     {instant} NOT NULL
        activation_sent_at  {instant}
        activated_at        {instant}
        import_status       TEXT NOT NULL
        import_errors       {json} NOT NULL
        event_log           {json} NOT NULL
        state               {json} NOT NULL
        """,
    ),
    primary_key=("id",),
    indexes=(
        ("created_at", "id"),
        ("partner_id", "created_at", "id"),
        ("distributor_id", "created_at", "id"),
    ),
    searchable=True,
)

CUSTOMERS = Table(
    name="view_customers",
    columns=column_list(
        COMMON,
        """
        onboarded_at            {instant} NOT NULL
        trial_ends_at           {instant}
        upgrade_notice_sent_at  {instant}
        production_since        {instant}
        expiration_date         {date}
        extensions              INTEGER NOT NULL
        state                   {json} NOT NULL
        """,
    ),
    primary_key=("id",),
    indexes=(
        ("onboarded_at", "id"),
        ("partner_id", "onboarded_at", "id"),
        ("distributor_id", "onboarded_at", "id"),
        ("status", "onboarded_at", "id"),
        ("trial_ends_at",),
    ),
    searchable=True,
)

DEADLINES = Table(
    name="view_deadlines",
    columns=column_list(
        """
        customer_id  {uuid} NOT NULL
        kind         TEXT NOT NULL
        due_at       {instant} NOT NULL
        """
    ),
    primary_key=("customer_id", "kind"),
    indexes=(("due_at",),),
)

PARTNERS = Table(
    name="view_partners",
    columns=column_list(
        """
        id              {uuid} NOT NULL
        version         INTEGER NOT NULL
        name            TEXT NOT NULL
        kind            TEXT NOT NULL
        status          TEXT NOT NULL
        distributor_id  {uuid}
        registered_at   {instant} NOT NULL
        """
    ),
    primary_key=("id",),
    indexes=(("distributor_id",),),
)

KEY_HOLDERS = Table(
    name="view_key_holders",
    columns=column_list(
        """
        id       {uuid} NOT NULL
        version  INTEGER NOT NULL
        kind     TEXT NOT NULL
        name     TEXT NOT NULL
        """
    ),
    primary_key=("id",),
    indexes=(("kind",),),
)

API_KEYS = Table(
    name="view_api_keys",
    columns=column_list(
        """
        holder_id   {uuid} NOT NULL
        key_id      TEXT NOT NULL
        issued_at   {instant} NOT NULL
        revoked_at  {instant}
        """
    ),
    primary_key=("holder_id", "key_id"),
    indexes=(("key_id",),),
)

TRIALS = Table(
    name="view_trials",
    columns=column_list(
        """
        id                         {uuid} NOT NULL
        version                    INTEGER NOT NULL
        partner_id                 {uuid} NOT NULL
        distributor_id             {uuid}
        sku                        TEXT NOT NULL
        created_at                 {instant} NOT NULL
        cohort_week                {date} NOT NULL
        cohort_month               {date} NOT NULL
        activated_at               {instant}
        activation_s               BIGINT
        onboarded_at               {instant}
        onboarding_s               BIGINT
        last_days_from             {instant}
        extensions                 INTEGER NOT NULL
        held                       {bool} NOT NULL
        outcome                    TEXT NOT NULL
        ended_at                   {instant}
        converted_after_extension  {bool} NOT NULL
        """
    ),
    primary_key=("id",),
    indexes=(
        ("created_at",),
        ("partner_id", "created_at"),
        ("distributor_id", "created_at"),
    ),
)

POSITIONS = "projection_positions"


USERS = Table(
    name="view_users",
    columns=column_list(
        """
        id          {uuid} NOT NULL
        version     INTEGER NOT NULL
        partner_id  {uuid} NOT NULL
        email       TEXT NOT NULL
        """
    ),
    primary_key=("id",),
    indexes=(("partner_id", "email"),),
)


def create_all(tx: Tx, tables: tuple[Table, ...], dialect: Dialect, suffix: str = "") -> None:
    for table in tables:
        tx.execute(table.create(suffix))
        for statement in table.create_indexes(dialect, suffix):
            tx.execute(statement)


# Columns that were NOT NULL in earlier schemas (table, column): PostgreSQL drops the
# constraint in place; SQLite cannot, and the views that hold them are rebuilt once.
LOOSENED = (
    ("view_pending_customers", "notification_email"),
    ("view_customers", "notification_email"),
)


def loosen(tx: Tx, dialect: Dialect) -> bool:
    """Drop the earlier schemas' NOT NULL constraints; True when (on SQLite) a table
    still has one and its projection must be rebuilt."""
    stale = False
    for table, column in LOOSENED:
        if dialect == "postgres":
            tx.execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP NOT NULL")
        else:
            info = tx.rows(f"SELECT name, \"notnull\" FROM pragma_table_info('{table}')")
            stale |= any(r["name"] == column and r["notnull"] for r in info)
    return stale


def create_positions(tx: Tx) -> None:
    tx.execute(
        f"CREATE TABLE IF NOT EXISTS {POSITIONS} (name TEXT PRIMARY KEY, position BIGINT NOT NULL)"
    )
