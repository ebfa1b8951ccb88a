"""The trials view: one row per customer, how its trial went (for the trial analytics).

A trial's outcome is the last of its ending events: upgraded automatically, converted
manually (also after it expired), expired; else it is still in trial. Its last days
begin ``extension_window`` before the trial end set at onboarding (the policy recorded
on the ``Onboarded`` event); an extension can only be granted within them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from domain.aggregate import DomainEvent
from domain.customer import Customer
from domain.customer_events import Created
from domain.errors import DomainError
from projections.projection import RowProjection, in_list
from projections.schema import TRIALS
from projections.sql import Database, Row, Tx

CHUNK = 500
HANDLED = (Customer.Event, Customer.Created)


class Outcome(StrEnum):
    IN_TRIAL = "in_trial"
    UPGRADED = "upgraded"
    CONVERTED = "converted"
    EXPIRED = "expired"


ENDINGS: dict[type[DomainEvent], Outcome] = {
    Customer.UpgradedToProduction: Outcome.UPGRADED,
    Customer.ConvertedToProduction: Outcome.CONVERTED,
    Customer.TrialExpired: Outcome.EXPIRED,
}


def week_start(at: datetime) -> date:
    """The Monday (UTC) of the week of ``at``."""
    day = at.date()
    return day - timedelta(days=day.weekday())


def month_start(at: datetime) -> date:
    return at.date().replace(day=1)


@dataclass
class TrialRecord:
    id: UUID
    version: int
    partner_id: UUID
    distributor_id: UUID | None
    sku: str
    created_at: datetime
    cohort_week: date
    cohort_month: date
    activated_at: datetime | None = None
    activation_s: int | None = None
    onboarded_at: datetime | None = None
    onboarding_s: int | None = None
    last_days_from: datetime | None = None
    extensions: int = 0
    held: bool = False
    outcome: str = Outcome.IN_TRIAL.value
    ended_at: datetime | None = None
    converted_after_extension: bool = False


def seconds(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds())


def created(event: Created) -> TrialRecord:
    at = event.timestamp
    return TrialRecord(
        id=event.originator_id,
        version=event.originator_version,
        partner_id=event.partner_id,
        distributor_id=event.distributor_id,
        sku=event.sku,
        created_at=at,
        cohort_week=week_start(at),
        cohort_month=month_start(at),
    )


def evolve_trial(record: TrialRecord, event: DomainEvent) -> TrialRecord:
    """``record`` after ``event`` (changed in place)."""
    at = event.timestamp
    if isinstance(event, Customer.Activated) and record.activated_at is None:
        record.activated_at = at
        record.activation_s = seconds(record.created_at, at)
    elif isinstance(event, Customer.Onboarded):
        record.onboarded_at = at
        start = record.activated_at or record.created_at
        record.onboarding_s = seconds(start, at)
        record.last_days_from = event.trial_ends_at - event.policy.extension_window
    elif isinstance(event, Customer.TrialExtended):
        record.extensions += 1
    elif isinstance(event, Customer.UpgradeHeld):
        record.held = True
    elif type(event) in ENDINGS:
        outcome = ENDINGS[type(event)]
        record.outcome = outcome.value
        record.ended_at = at
        record.converted_after_extension = (
            outcome in (Outcome.UPGRADED, Outcome.CONVERTED) and record.extensions > 0
        )
    record.version = event.originator_version
    return record


class TrialViews(RowProjection[TrialRecord]):
    name = "trials"
    tables = (TRIALS,)

    def handles(self, event: DomainEvent) -> bool:
        return isinstance(event, HANDLED)

    def evolve(self, record: TrialRecord | None, event: DomainEvent) -> TrialRecord:
        if isinstance(event, Customer.Created):
            return created(event)
        if record is None:
            raise DomainError(f"view has no trial of customer {event.originator_id}")
        return evolve_trial(record, event)

    def fetch(self, tx: Tx, ids: Sequence[UUID]) -> Callable[[], dict[UUID, TrialRecord]]:
        answers = [
            tx.query(f"SELECT * FROM {TRIALS.name} WHERE id IN {in_list(chunk)}", chunk)
            for chunk in (ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK))
        ]

        def records() -> dict[UUID, TrialRecord]:
            found = (record_from_row(tx.db, row) for answer in answers for row in answer())
            return {record.id: record for record in found}

        return records


def record_from_row(db: Database, row: Row) -> TrialRecord:
    def instant(name: str) -> datetime | None:
        value = row[name]
        return None if value is None else db.instant(value)

    def uuid(value: Any) -> UUID | None:
        return None if value is None else UUID(str(value))

    def number(name: str) -> int | None:
        value = row[name]
        return None if value is None else int(value)

    return TrialRecord(
        id=UUID(str(row["id"])),
        version=int(row["version"]),
        partner_id=UUID(str(row["partner_id"])),
        distributor_id=uuid(row["distributor_id"]),
        sku=row["sku"],
        created_at=db.instant(row["created_at"]),
        cohort_week=date.fromisoformat(str(row["cohort_week"])),
        cohort_month=date.fromisoformat(str(row["cohort_month"])),
        activated_at=instant("activated_at"),
        activation_s=number("activation_s"),
        onboarded_at=instant("onboarded_at"),
        onboarding_s=number("onboarding_s"),
        last_days_from=instant("last_days_from"),
        extensions=int(row["extensions"]),
        held=bool(row["held"]),
        outcome=row["outcome"],
        ended_at=instant("ended_at"),
        converted_after_extension=bool(row["converted_after_extension"]),
    )
