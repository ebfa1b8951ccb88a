"""The trial analytics' response body: one entry per cohort, each rate with its parts."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime

from pydantic import BaseModel, Field

from application.trial_analytics import Cohort, GroupBy, Rate, TrialReport


class RateBody(BaseModel):
    value: float | None = Field(description="numerator / denominator; null when it is 0")
    numerator: int
    denominator: int
    of: str = Field(description="what the numerator and denominator count")

    @classmethod
    def of_rate(cls, rate: Rate) -> RateBody:
        return cls.model_validate(rate, from_attributes=True)


class Durations(BaseModel):
    median_s: int | None
    p90_s: int | None


class CohortBody(BaseModel):
    start: date = Field(description="the cohort's first day (a Monday, or the 1st)")
    end: date = Field(description="the day after the cohort's last day")
    mature: bool = Field(
        description="false while its trials may not all have ended (younger than "
        "trial + extension + notice)"
    )
    created: int
    activated: int
    onboarded: int
    extended: int = Field(description="trials extended at least once")
    held: int = Field(description="trials whose automatic upgrade was ever held")
    upgraded_automatically: int
    converted_manually: int
    expired: int
    still_in_trial: int
    ended: int
    reached_last_days: int = Field(description="trials that reached their last days")
    converted_after_extension: int
    conversion_rate: RateBody
    extension_rate: RateBody
    creation_to_activation: Durations
    activation_to_onboarding: Durations

    @classmethod
    def of_cohort(cls, cohort: Cohort) -> CohortBody:
        """The counts by their names, but the four the API names otherwise."""
        c = cohort.counts
        return cls.model_validate(
            {
                **asdict(c),
                "start": cohort.start,
                "end": cohort.end,
                "mature": cohort.mature,
                "ended": cohort.ended,
                "upgraded_automatically": c.upgraded,
                "converted_manually": c.converted,
                "still_in_trial": c.in_trial,
                "conversion_rate": RateBody.of_rate(cohort.conversion_rate),
                "extension_rate": RateBody.of_rate(cohort.extension_rate),
                "creation_to_activation": {
                    "median_s": c.activation_median_s,
                    "p90_s": c.activation_p90_s,
                },
                "activation_to_onboarding": {
                    "median_s": c.onboarding_median_s,
                    "p90_s": c.onboarding_p90_s,
                },
            }
        )


class TrialAnalyticsBody(BaseModel):
    group_by: GroupBy
    start: datetime = Field(description="the first instant covered (inclusive)")
    end: datetime = Field(description="the last instant covered (exclusive)")
    cohorts: list[CohortBody]

    @classmethod
    def of_report(cls, report: TrialReport) -> TrialAnalyticsBody:
        cohorts = [CohortBody.of_cohort(c) for c in report.cohorts]
        return cls(group_by=report.group_by, start=report.start, end=report.end, cohorts=cohorts)
