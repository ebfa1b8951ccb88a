"""Holding the upgrade, and what happens at the trial end: upgrade or expiry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from domain.customer import Customer
from domain.errors import Forbidden, InvalidState
from domain.values import SYSTEM, Status
from tests.support.events import (
    POLICY,
    T0,
    TRIAL_ENDS_AT,
    WINDOW_OPENS,
    created,
    expired_customer,
    onboarded_customer,
    production_customer,
    trial_extended,
    upgrade_held,
)
from tests.support.principals import DISTRIBUTOR, MSP, OTHER_MSP
from tests.unit.domain.given_when_then import expect, given

AT = T0 + timedelta(days=3)


def holding(enabled: bool, at: datetime = AT, by: Any = MSP) -> Callable[[Any], object]:
    return lambda c: c.set_automatic_upgrade(enabled=enabled, at=at, by=by)


def ending(at: datetime) -> Callable[[Any], object]:
    return lambda c: c.end_trial_if_due(policy=POLICY, at=at, by=SYSTEM)


def test_the_owner_holds_the_upgrade_of_a_pending_customer() -> None:
    given(created()).when(holding(False)).then(expect(Customer.UpgradeHeld, actor=MSP))


def test_the_owner_holds_the_upgrade_of_an_onboarded_trial() -> None:
    given(*onboarded_customer()).when(holding(False)).then(Customer.UpgradeHeld)


def test_the_owner_releases_a_held_upgrade() -> None:
    given(*onboarded_customer(), upgrade_held()).when(holding(True)).then(Customer.UpgradeReleased)


def test_holding_a_held_upgrade_records_nothing() -> None:
    when = given(*onboarded_customer(), upgrade_held()).when(holding(False))
    when.then_nothing()
    assert when.result is False


def test_releasing_an_upgrade_that_is_not_held_records_nothing() -> None:
    given(*onboarded_customer()).when(holding(True)).then_nothing()


def test_the_upgrade_cannot_be_managed_in_production() -> None:
    given(*production_customer()).when(
        holding(False, TRIAL_ENDS_AT + timedelta(days=1))
    ).then_refused(InvalidState, match="PRODUCTION")


def test_the_upgrade_cannot_be_managed_once_expired() -> None:
    given(*expired_customer()).when(holding(True, TRIAL_ENDS_AT + timedelta(days=1))).then_refused(
        InvalidState, match="EXPIRED"
    )


def test_a_distributor_cannot_hold_its_msps_customer() -> None:
    given(*onboarded_customer()).when(holding(False, by=DISTRIBUTOR)).then_refused(
        Forbidden, match="read-only"
    )


def test_another_partner_cannot_hold_the_upgrade() -> None:
    given(*onboarded_customer()).when(holding(False, by=OTHER_MSP)).then_refused(Forbidden)


def test_nothing_happens_before_the_trial_end() -> None:
    given(*onboarded_customer()).when(
        ending(TRIAL_ENDS_AT - timedelta(microseconds=1))
    ).then_nothing()


def test_at_the_trial_end_the_customer_is_upgraded_for_365_days() -> None:
    when = given(*onboarded_customer()).when(ending(TRIAL_ENDS_AT))
    when.then(
        expect(
            Customer.UpgradedToProduction,
            timestamp=TRIAL_ENDS_AT,
            trial_ends_at=TRIAL_ENDS_AT,
            expiration_date=TRIAL_ENDS_AT.date() + timedelta(days=365),
            actor=SYSTEM,
        )
    )
    assert when.aggregate.state.status is Status.PRODUCTION
    assert when.aggregate.state.production_since == TRIAL_ENDS_AT


def test_the_expiration_date_is_the_calendar_date_of_the_trial_end_plus_365() -> None:
    # Trial ends 2026-01-20T09:00Z, so the expiration is 2027-01-20.
    [event] = (
        given(*onboarded_customer()).when(ending(TRIAL_ENDS_AT)).then(Customer.UpgradedToProduction)
    )
    assert event.expiration_date == date(2027, 1, 20)  # type: ignore[attr-defined]


def test_an_upgrade_processed_late_takes_effect_at_the_trial_end() -> None:
    late = TRIAL_ENDS_AT + timedelta(days=4, hours=3)
    given(*onboarded_customer()).when(ending(late)).then(
        expect(
            Customer.UpgradedToProduction,
            timestamp=TRIAL_ENDS_AT,
            recorded_at=late,
            expiration_date=date(2027, 1, 20),
        )
    )


def test_an_extended_trial_is_upgraded_at_its_new_end() -> None:
    new_end = TRIAL_ENDS_AT + timedelta(days=7)
    history = (*onboarded_customer(), trial_extended(WINDOW_OPENS))
    given(*history).when(ending(TRIAL_ENDS_AT)).then_nothing()
    given(*history).when(ending(new_end)).then(
        expect(Customer.UpgradedToProduction, timestamp=new_end, trial_ends_at=new_end)
    )


def test_a_held_trial_expires_at_its_end() -> None:
    when = given(*onboarded_customer(), upgrade_held()).when(ending(TRIAL_ENDS_AT + timedelta(1)))
    when.then(expect(Customer.TrialExpired, timestamp=TRIAL_ENDS_AT, trial_ends_at=TRIAL_ENDS_AT))
    assert when.aggregate.state.status is Status.EXPIRED


def test_a_trial_ends_only_once() -> None:
    given(*production_customer()).when(ending(TRIAL_ENDS_AT + timedelta(days=2))).then_nothing()
    given(*expired_customer()).when(ending(TRIAL_ENDS_AT + timedelta(days=2))).then_nothing()


def test_a_pending_customer_has_no_trial_to_end() -> None:
    given(created()).when(ending(T0 + timedelta(days=60))).then_nothing()


def test_only_the_system_ends_trials() -> None:
    given(*onboarded_customer()).when(
        lambda c: c.end_trial_if_due(policy=POLICY, at=TRIAL_ENDS_AT, by=MSP)
    ).then_refused(Forbidden)
