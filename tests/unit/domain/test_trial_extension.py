"""Extend trial: +7 days, only in [trial end - 3 days, trial end), never by a distributor."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from domain.customer import Customer
from domain.errors import ExtensionNotYetAvailable, Forbidden, InvalidState
from domain.values import Actor, Source
from tests.support.events import (
    ACTIVATED_AT,
    POLICY,
    TRIAL_ENDS_AT,
    WINDOW_OPENS,
    activated,
    converted,
    created,
    expired_customer,
    onboarded,
    onboarded_customer,
    production_customer,
    trial_extended,
)
from tests.support.principals import DISTRIBUTOR, DISTRIBUTOR_ID, MSP, OTHER_MSP
from tests.unit.domain.given_when_then import expect, given

IN_WINDOW = WINDOW_OPENS + timedelta(hours=1)


def extending(at: datetime, by: Actor = MSP) -> Callable[[Any], object]:
    return lambda c: c.extend_trial(policy=POLICY, at=at, by=by)


def test_the_owner_extends_the_trial_by_seven_days_inside_the_window() -> None:
    given(*onboarded_customer()).when(extending(IN_WINDOW)).then(
        expect(
            Customer.TrialExtended,
            previous_trial_ends_at=TRIAL_ENDS_AT,
            trial_ends_at=TRIAL_ENDS_AT + timedelta(days=7),
            timestamp=IN_WINDOW,
            actor=MSP,
        )
    )


def test_the_window_opens_exactly_three_days_before_the_trial_end() -> None:
    given(*onboarded_customer()).when(extending(WINDOW_OPENS)).then(Customer.TrialExtended)


def test_the_last_instant_before_the_trial_end_is_inside_the_window() -> None:
    given(*onboarded_customer()).when(extending(TRIAL_ENDS_AT - timedelta(microseconds=1))).then(
        Customer.TrialExtended
    )


def test_before_the_window_the_refusal_says_from_when_it_is_possible() -> None:
    error = (
        given(*onboarded_customer())
        .when(extending(WINDOW_OPENS - timedelta(seconds=1)))
        .then_refused(ExtensionNotYetAvailable)
    )
    assert error.available_from == TRIAL_ENDS_AT - timedelta(days=3)


def test_right_after_onboarding_the_extension_is_not_yet_available() -> None:
    error = (
        given(*onboarded_customer())
        .when(extending(TRIAL_ENDS_AT - timedelta(days=13)))
        .then_refused(ExtensionNotYetAvailable)
    )
    assert error.available_from == WINDOW_OPENS


def test_at_the_trial_end_the_window_has_closed() -> None:
    given(*onboarded_customer()).when(extending(TRIAL_ENDS_AT)).then_refused(
        InvalidState, match="past its trial end"
    )


def test_once_extended_the_next_window_opens_three_days_before_the_new_end() -> None:
    error = (
        given(*onboarded_customer(), trial_extended(IN_WINDOW))
        .when(extending(IN_WINDOW + timedelta(minutes=1)))
        .then_refused(ExtensionNotYetAvailable)
    )
    assert error.available_from == TRIAL_ENDS_AT + timedelta(days=7) - timedelta(days=3)


def test_an_extended_trial_can_be_extended_again_in_its_new_window() -> None:
    new_end = TRIAL_ENDS_AT + timedelta(days=7)
    given(*onboarded_customer(), trial_extended(IN_WINDOW)).when(
        extending(new_end - timedelta(days=1))
    ).then(expect(Customer.TrialExtended, trial_ends_at=new_end + timedelta(days=7)))


@pytest.mark.parametrize(
    "history", [(created(),), (created(), activated())], ids=["created", "activated"]
)
def test_a_pending_customer_cannot_be_extended(history: tuple[Any, ...]) -> None:
    given(*history).when(extending(ACTIVATED_AT + timedelta(hours=1))).then_refused(
        InvalidState, match="pending"
    )


def test_a_production_customer_cannot_be_extended() -> None:
    given(*production_customer()).when(extending(TRIAL_ENDS_AT + timedelta(days=1))).then_refused(
        InvalidState, match="PRODUCTION"
    )


def test_an_expired_customer_cannot_be_extended() -> None:
    given(*expired_customer()).when(extending(TRIAL_ENDS_AT + timedelta(days=1))).then_refused(
        InvalidState, match="EXPIRED"
    )


def test_a_converted_customer_cannot_be_extended() -> None:
    history = (*expired_customer(), converted(TRIAL_ENDS_AT, date(2027, 6, 1)))
    given(*history).when(extending(TRIAL_ENDS_AT + timedelta(days=1))).then_refused(InvalidState)


def test_a_distributor_may_never_extend_its_msps_customer() -> None:
    given(*onboarded_customer()).when(extending(IN_WINDOW, DISTRIBUTOR)).then_refused(
        Forbidden, match="distributor"
    )


def test_a_distributor_is_refused_even_outside_the_window() -> None:
    given(*onboarded_customer()).when(
        extending(WINDOW_OPENS - timedelta(days=5), DISTRIBUTOR)
    ).then_refused(Forbidden)


def test_another_partner_cannot_extend_the_trial() -> None:
    given(*onboarded_customer()).when(extending(IN_WINDOW, OTHER_MSP)).then_refused(
        Forbidden, match="owning partner"
    )


def test_a_distributor_extends_the_trial_of_its_own_customer() -> None:
    own = created(source=Source.DISTRIBUTOR, partner_id=DISTRIBUTOR_ID, distributor_id=None)
    given(own, activated(), onboarded()).when(extending(IN_WINDOW, DISTRIBUTOR)).then(
        expect(Customer.TrialExtended, actor=DISTRIBUTOR)
    )
