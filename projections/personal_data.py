"""The personal data the views hold about one customer, and where (subject access).

The customer views hold the notification email (column ``notification_email`` and
the ``state`` JSON) and the importer's messages (``event_log``, ``import_errors`` and
``state``); the deadlines view holds the emails still to send to the address. After an
erasure, the follower writes the rows again from the erased state: none of it is left.
"""

from __future__ import annotations

from uuid import UUID

from application.privacy import Holding
from domain.customer_state import DeadlineKind
from projections.customer_rows import customer_from_row
from projections.schema import CUSTOMERS, DEADLINES, PENDING
from projections.sql import Database

EMAILS = (DeadlineKind.ACTIVATION_EMAIL.value, DeadlineKind.UPGRADE_NOTICE.value)


def personal_data_in_views(db: Database, customer_id: UUID) -> list[Holding]:
    state = "state::text" if db.dialect == "postgres" else "state"
    found: list[Holding] = []
    for table in (PENDING.name, CUSTOMERS.name):
        rows = db.rows(
            f"SELECT id, version, created_at, modified_at, notification_email, {state} AS state"
            f" FROM {table} WHERE id = ?",
            [customer_id],
        )
        for row in rows:
            s = customer_from_row(db, row).state
            if row["notification_email"] is not None:
                found.append(
                    Holding(
                        where="view",
                        table=table,
                        field="notification_email",
                        value=row["notification_email"],
                    )
                )
            if s.notification_email is not None:
                found.append(
                    Holding(where="view", table=table, field="state", value=s.notification_email)
                )
            found += [
                Holding(where="view", table=table, field="state", value=m)
                for m in [e.message for e in s.event_log] + [e.message for e in s.import_errors]
                if m is not None
            ]
            if s.notification_email is not None:
                for deadline in db.rows(
                    f"SELECT kind, due_at FROM {DEADLINES.name} WHERE customer_id = ?",
                    [customer_id],
                ):
                    if deadline["kind"] in EMAILS:
                        found.append(
                            Holding(
                                where="pending_email",
                                table=DEADLINES.name,
                                kind=deadline["kind"],
                                due_at=db.instant(deadline["due_at"]),
                                value=s.notification_email,
                            )
                        )
    return found
