"""Trial analytics: per cohort (the week or month its customers were created), how many
trials activated, onboarded, were extended, held, and how they ended; the rates name
their numerator and denominator. The counts come from the trials view
(projections/trial_analytics.py), never from replaying the log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from application.authorization import Visibility, visible_to
from application.clock import Clock
from domain.errors import ValidationFailed
from domain.values import Actor, Policy

MAX_DAYS = 3 * 366  # the longest period one query covers
DEFAULT_SPAN = timedelta(weeks=12)


class GroupBy(StrEnum):
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class TrialFilter:
    """The trials a query covers: created in [start, end), visible to the viewer."""

    visible: Visibility
    start: datetime
    end: datetime
    group_by: GroupBy
    partner_id: UUID | None = None
    sku: str | None = None
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True)
class CohortCounts:
    """What the view counts for one cohort; the percentiles are in seconds (None when
    no trial of the cohort has that duration)."""

    cohort: date
    created: int = 0
    activated: int = 0
    onboarded: int = 0
    extended: int = 0
    held: int = 0
    upgraded: int = 0
    converted: int = 0
    expired: int = 0
    in_trial: int = 0
    reached_last_days: int = 0
    converted_after_extension: int = 0
    activation_median_s: int | None = None
    activation_p90_s: int | None = None
    onboarding_median_s: int | None = None
    onboarding_p90_s: int | None = None


class TrialCounts(Protocol):
    def cohorts(self, query: TrialFilter) -> list[CohortCounts]:
        """The counts of each cohort with at least one trial, oldest first."""
        ...


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int
    of: str

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True)
class Cohort:
    counts: CohortCounts
    start: date
    end: date
    mature: bool

    @property
    def ended(self) -> int:
        c = self.counts
        return c.upgraded + c.converted + c.expired

    @property
    def conversion_rate(self) -> Rate:
        c = self.counts
        return Rate(c.upgraded + c.converted, self.ended, "(upgraded + converted) / ended")

    @property
    def extension_rate(self) -> Rate:
        c = self.counts
        return Rate(c.extended, c.reached_last_days, "extended / reached last days")


@dataclass(frozen=True)
class TrialReport:
    group_by: GroupBy
    start: datetime
    end: datetime
    cohorts: list[Cohort]


def cohort_end(start: date, group_by: GroupBy) -> date:
    if group_by is GroupBy.WEEK:
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


@dataclass(eq=False)
class TrialAnalytics:
    counts: TrialCounts
    clock: Clock
    policy: Policy

    def report(  # noqa: PLR0913
        self,
        *,
        by: Actor,
        start: date | None = None,
        end: date | None = None,
        group_by: GroupBy = GroupBy.WEEK,
        partner_id: UUID | None = None,
        sku: str | None = None,
    ) -> TrialReport:
        """The cohorts of the trials created from ``start`` (inclusive) to ``end``
        (exclusive), 12 weeks up to tomorrow by default."""
        now = self.clock.now()
        last = end or now.date() + timedelta(days=1)
        first = start or max(last, date.min + DEFAULT_SPAN) - DEFAULT_SPAN
        if first >= last:
            raise ValidationFailed("from", "must be before to")
        if (last - first).days > MAX_DAYS:
            raise ValidationFailed("to", f"must be at most {MAX_DAYS} days after from")
        query = TrialFilter(
            visible=visible_to(by),
            start=midnight(first),
            end=midnight(last),
            group_by=group_by,
            partner_id=partner_id,
            sku=sku,
            now=now,
        )
        settled = self.policy.trial + self.policy.extension + self.policy.notice
        cohorts = []
        for counts in self.counts.cohorts(query):
            ends = cohort_end(counts.cohort, group_by)
            mature = midnight(ends) + settled <= now
            cohorts.append(Cohort(counts, counts.cohort, ends, mature))
        return TrialReport(group_by, query.start, query.end, cohorts)
