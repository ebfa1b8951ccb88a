"""Property: whatever the history, the trial analytics (SQL over the trials view) equal a
count over each customer's events; and one known history, on every backend."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from application.clock import TestClock
from application.trial_analytics import GroupBy, TrialReport
from domain.errors import DomainError
from domain.values import Actor
from tests.support.clocks import START, a_clock
from tests.support.events import PROFESSIONAL
from tests.support.histories import run, trial_long_commands
from tests.support.principals import ADMIN, AUDITOR
from tests.support.projections import open_world
from tests.support.trial_counts import brute_force
from tests.support.world import World


@pytest.fixture
def new_url(tmp_path: Path) -> Iterator[Callable[[], str]]:
    """A fresh SQLite file per hypothesis example."""
    return lambda: f"sqlite:///{tmp_path / uuid.uuid4().hex}.db"


def as_figures(report: TrialReport) -> dict[date, dict[str, Any]]:
    found = {}
    for cohort in report.cohorts:
        counts = asdict(cohort.counts)
        del counts["cohort"]
        rates = cohort.conversion_rate, cohort.extension_rate
        counts["conversion"], counts["extension"] = ((r.numerator, r.denominator) for r in rates)
        found[cohort.start] = counts
    return found


def matures(cohort_end: date, now: datetime) -> bool:
    """Whether every trial of a cohort ending on ``cohort_end`` must have ended by now:
    14 days of trial, 7 of extension and 3 of notice after its last creation."""
    return datetime.combine(cohort_end, time(), tzinfo=UTC) + timedelta(days=24) <= now


def report(world: World, by: Actor, group_by: GroupBy, **filters: Any) -> TrialReport:
    return world.services.analytics.report(
        by=by,
        start=START.date() - timedelta(days=40),
        end=world.clock.now().date() + timedelta(days=1),
        group_by=group_by,
        **filters,
    )


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=trial_long_commands)
def test_the_analytics_equal_a_count_over_the_events(
    new_url: Callable[[], str], history: list[tuple[str, int, int]]
) -> None:
    """Given any history of customers of three partners, when the admin, the
    distributor and each MSP ask for the analytics by week and by month, then every
    cohort's figures equal those counted from each visible customer's events."""
    world = open_world(new_url(), a_clock())
    world.services.views.follower.batch_size = 7
    owners: dict[uuid.UUID, Actor] = {}
    try:
        for op, n, hours in history:
            with contextlib.suppress(DomainError):
                run(world, op, n, hours, owners)
        world.current()
        for by in (ADMIN, world.distributor, world.msp, world.other_msp):
            for group_by in GroupBy:
                expected = brute_force(world.services, owners, by, group_by.value)
                answer = report(world, by, group_by)
                assert as_figures(answer) == expected, (by, group_by)
                assert [c.mature for c in answer.cohorts] == [
                    matures(c.end, world.clock.now()) for c in answer.cohorts
                ]
    finally:
        world.close()


def test_a_known_history_gives_known_figures_on_every_backend(
    database_url: str, clock: TestClock
) -> None:
    """Given four customers of the MSP created in one week (one upgraded after an
    extension, one expired after a hold, one converted, one still pending) and one of
    the other MSP, when the MSP asks, then its cohort counts them as they went."""
    world = open_world(database_url, clock)
    cmds = world.services.customers
    try:
        upgraded, expired, converted, _pending = (world.add(name=f"C{i}") for i in range(4))
        world.add(world.other_msp, "Not mine", sku=PROFESSIONAL)
        for customer in (upgraded, expired, converted):
            world.onboard(customer)
        cmds.set_automatic_upgrade(expired, enabled=False, by=world.msp)
        expires = (world.clock.now() + timedelta(days=400)).date()
        cmds.convert_to_production(converted, expiration_date=expires, by=world.msp)
        world.clock.advance(timedelta(days=12))
        cmds.extend_trial(upgraded, by=world.msp)
        world.clock.advance(timedelta(days=10))
        for customer in (upgraded, expired):
            cmds.end_trial_if_due(customer)
        world.current()

        [cohort] = report(world, world.msp, GroupBy.WEEK).cohorts
        mine_in_essentials = report(world, AUDITOR, GroupBy.MONTH, sku="ESSENTIALS_MSP_2025")

        c = cohort.counts
        assert (c.created, c.activated, c.onboarded, c.extended, c.held) == (4, 3, 3, 1, 1)
        assert (c.upgraded, c.converted, c.expired, c.in_trial) == (1, 1, 1, 1)
        assert c.converted_after_extension == 1
        rate = cohort.conversion_rate
        assert (rate.numerator, rate.denominator, rate.value) == (2, 3, 2 / 3)
        assert (cohort.extension_rate.numerator, cohort.extension_rate.denominator) == (1, 2)
        assert (c.activation_median_s, c.activation_p90_s) == (300, 300)  # 5 minutes each
        assert (c.onboarding_median_s, c.onboarding_p90_s) == (0, 0)
        assert cohort.start == START.date()
        assert cohort.mature is False
        assert [x.counts.created for x in mine_in_essentials.cohorts] == [4]
    finally:
        world.close()
