"""The trial analytics' counts, in SQL over the trials view: one grouped scan for the
counts, one windowed scan for the percentiles (nearest rank, two rows a cohort)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from application.trial_analytics import CohortCounts, GroupBy, TrialCounts, TrialFilter
from projections.reader import scopes
from projections.schema import TRIALS
from projections.sql import Database

FRESHNESS_S = 2.0
COHORT = {GroupBy.WEEK: "cohort_week", GroupBy.MONTH: "cohort_month"}
REACHED = (
    "last_days_from IS NOT NULL AND last_days_from <= ?"
    " AND (ended_at IS NULL OR ended_at >= last_days_from)"
)
COUNTED = {
    "activated": "activated_at IS NOT NULL",
    "onboarded": "onboarded_at IS NOT NULL",
    "extended": "extensions > 0",
    "held": "held",
    "upgraded": "outcome = 'upgraded'",
    "converted": "outcome = 'converted'",
    "expired": "outcome = 'expired'",
    "in_trial": "outcome = 'in_trial'",
    "reached_last_days": REACHED,
    "converted_after_extension": "converted_after_extension",
}
DURATIONS = {"activation": "activation_s", "onboarding": "onboarding_s"}


def where(query: TrialFilter) -> tuple[str, list[Any]]:
    found = scopes(query.visible)
    if not found:
        return "1 = 0", []
    clauses = [f"({clause})" for clause, _ in found]
    params: list[Any] = [p for _, ps in found for p in ps]
    text = f"({' OR '.join(clauses)}) AND created_at >= ? AND created_at < ?"
    params += [query.start, query.end]
    if query.partner_id is not None:
        text, params = f"{text} AND partner_id = ?", [*params, query.partner_id]
    if query.sku is not None:
        text, params = f"{text} AND sku = ?", [*params, query.sku]
    return text, params


class ViewsTrialCounts(TrialCounts):
    def __init__(self, db: Database, wait_until_current: Callable[[float], bool]) -> None:
        self.db = db
        self._wait = wait_until_current

    def cohorts(self, query: TrialFilter) -> list[CohortCounts]:
        self._wait(FRESHNESS_S)
        cohort = COHORT[query.group_by]
        condition, params = where(query)
        sums = ", ".join(
            f"SUM(CASE WHEN {test} THEN 1 ELSE 0 END) AS {name}" for name, test in COUNTED.items()
        )
        rows = self.db.rows(
            f"SELECT {cohort} AS cohort, COUNT(*) AS created, {sums} FROM {TRIALS.name}"
            f" WHERE {condition} GROUP BY {cohort} ORDER BY {cohort}",
            [query.now, *params],
        )
        percentiles = self._percentiles(cohort, condition, params)
        return [
            CohortCounts(
                cohort=_date(r["cohort"]),
                created=int(r["created"]),
                **{name: int(r[name]) for name in COUNTED},
                **percentiles.get(_date(r["cohort"]), {}),
            )
            for r in rows
        ]

    def _percentiles(
        self, cohort: str, condition: str, params: list[Any]
    ) -> dict[date, dict[str, int]]:
        found: dict[date, dict[str, int]] = {}
        for name, column in DURATIONS.items():
            rows = self.db.rows(
                "SELECT cohort, v, rn, n FROM ("
                f"SELECT {cohort} AS cohort, {column} AS v,"
                f" ROW_NUMBER() OVER (PARTITION BY {cohort} ORDER BY {column}) AS rn,"
                f" COUNT(*) OVER (PARTITION BY {cohort}) AS n"
                f" FROM {TRIALS.name} WHERE {condition} AND {column} IS NOT NULL) ranked"
                " WHERE rn = (n + 1) / 2 OR rn = (9 * n + 9) / 10",
                params,
            )
            for r in rows:
                n, rank, figures = (
                    int(r["n"]),
                    int(r["rn"]),
                    found.setdefault(_date(r["cohort"]), {}),
                )
                if rank == (n + 1) // 2:
                    figures[f"{name}_median_s"] = int(r["v"])
                if rank == (9 * n + 9) // 10:
                    figures[f"{name}_p90_s"] = int(r["v"])
        return found


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
