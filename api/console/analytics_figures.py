"""What the Analytics page draws (the funnel's bars, the cohorts' columns, as SVG
geometry) and what its CSV writes, from the report's cohorts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.trial_representations import CohortBody

# The charts' geometry, in SVG user units.
FUNNEL_WIDTH, BAR_HEIGHT, LABEL_WIDTH, VALUE_WIDTH = 600, 28, 190, 60
COHORT_HEIGHT, COHORT_BAR, COHORT_GAP = 160, 36, 10
CSV_COLUMNS = (
    "start", "end", "mature", "created", "activated", "onboarded", "extended", "held",
    "upgraded_automatically", "converted_manually", "expired", "still_in_trial", "ended",
    "reached_last_days", "converted_after_extension", "conversion_rate",
    "conversion_numerator", "conversion_denominator", "extension_rate",
    "extension_numerator", "extension_denominator", "creation_to_activation_median_s",
    "creation_to_activation_p90_s", "activation_to_onboarding_median_s",
    "activation_to_onboarding_p90_s",
)  # fmt: skip


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    width: float
    y: int
    css: str


@dataclass(frozen=True)
class Column:
    label: str
    short: str
    percent: str
    x: int
    height: float
    y: float
    css: str


def funnel(cohorts: list[CohortBody]) -> list[Bar]:
    steps = [
        ("Created", sum(c.created for c in cohorts), "created"),
        ("Activated", sum(c.activated for c in cohorts), "activated"),
        ("Onboarded", sum(c.onboarded for c in cohorts), "onboarded"),
        ("Upgraded automatically", sum(c.upgraded_automatically for c in cohorts), "upgraded"),
        ("Converted manually", sum(c.converted_manually for c in cohorts), "converted"),
    ]
    top = max(steps[0][1], 1)
    room = FUNNEL_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    return [
        Bar(label, count, round(room * count / top, 1), i * (BAR_HEIGHT + 6), css)
        for i, (label, count, css) in enumerate(steps)
    ]


def columns(cohorts: list[CohortBody]) -> list[Column]:
    found = []
    for i, c in enumerate(cohorts):
        rate = c.conversion_rate.value
        height = round(COHORT_HEIGHT * (rate or 0), 1)
        found.append(
            Column(
                label=c.start.isoformat(),
                short=f"{c.start:%m-%d}",
                percent="n/a" if rate is None else f"{rate:.0%}",
                x=i * (COHORT_BAR + COHORT_GAP),
                height=height,
                y=round(COHORT_HEIGHT - height, 1),
                css="mature" if c.mature else "immature",
            )
        )
    return found


def csv_row(c: CohortBody) -> list[Any]:
    def blank(value: Any) -> Any:
        return "" if value is None else value

    return [
        c.start.isoformat(), c.end.isoformat(), str(c.mature).lower(), c.created, c.activated,
        c.onboarded, c.extended, c.held, c.upgraded_automatically, c.converted_manually,
        c.expired, c.still_in_trial, c.ended, c.reached_last_days, c.converted_after_extension,
        blank(c.conversion_rate.value), c.conversion_rate.numerator,
        c.conversion_rate.denominator, blank(c.extension_rate.value),
        c.extension_rate.numerator, c.extension_rate.denominator,
        blank(c.creation_to_activation.median_s), blank(c.creation_to_activation.p90_s),
        blank(c.activation_to_onboarding.median_s), blank(c.activation_to_onboarding.p90_s),
    ]  # fmt: skip
