"""The pre-upgrade notice: 3 days before the trial end, unless held."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from domain.customer import Customer
from domain.errors import Forbidden
from domain.values import SYSTEM
from tests.support.events import (
    NOTICE_DUE,
    POLICY,
    TRIAL_ENDS_AT,
    WINDOW_OPENS,
    created,
    notice_sent,
    onboarded_customer,
    trial_extended,
    upgrade_held,
    upgrade_released,
)
from tests.support.principals import MSP
from tests.unit.domain.given_when_then import expect, given


def sending(at: datetime) -> Callable[[Any], object]:
    return lambda c: c.record_upgrade_notice_sent(
        message_id="<n@t>", policy=POLICY, at=at, by=SYSTEM
    )


def test_the_notice_is_due_exactly_three_days_before_the_trial_end() -> None:
    customer = given(*onboarded_customer()).state()
    assert customer.notice_due_at(POLICY) == TRIAL_ENDS_AT - timedelta(days=3)


def test_the_notice_is_recorded_when_due() -> None:
    given(*onboarded_customer()).when(sending(NOTICE_DUE)).then(
        expect(Customer.UpgradeNoticeSent, trial_ends_at=TRIAL_ENDS_AT, timestamp=NOTICE_DUE)
    )


def test_the_notice_is_not_recorded_a_second_before_it_is_due() -> None:
    given(*onboarded_customer()).when(sending(NOTICE_DUE - timedelta(seconds=1))).then_nothing()


def test_a_notice_sent_late_takes_effect_when_it_was_due() -> None:
    late = NOTICE_DUE + timedelta(hours=5)
    given(*onboarded_customer()).when(sending(late)).then(
        expect(Customer.UpgradeNoticeSent, timestamp=NOTICE_DUE, recorded_at=late)
    )


def test_no_notice_while_the_upgrade_is_held() -> None:
    customer = given(*onboarded_customer(), upgrade_held()).state()
    assert customer.notice_due_at(POLICY) is None
    given(*onboarded_customer(), upgrade_held()).when(sending(NOTICE_DUE)).then_nothing()


def test_a_released_upgrade_gets_its_notice() -> None:
    release = NOTICE_DUE + timedelta(hours=1)
    given(*onboarded_customer(), upgrade_held(), upgrade_released(release)).when(
        sending(release)
    ).then(Customer.UpgradeNoticeSent)


def test_no_notice_for_a_pending_customer() -> None:
    assert given(created()).state().notice_due_at(POLICY) is None


def test_no_second_notice_for_the_same_trial_end() -> None:
    given(*onboarded_customer(), notice_sent()).when(
        sending(NOTICE_DUE + timedelta(hours=1))
    ).then_nothing()


def test_a_trial_extended_after_the_notice_gets_a_new_notice_for_the_new_date() -> None:
    extended_at = WINDOW_OPENS + timedelta(hours=1)
    new_end = TRIAL_ENDS_AT + timedelta(days=7)
    history = (*onboarded_customer(), notice_sent(), trial_extended(extended_at))
    assert given(*history).state().notice_due_at(POLICY) == new_end - timedelta(days=3)
    given(*history).when(sending(new_end - timedelta(days=3))).then(
        expect(Customer.UpgradeNoticeSent, trial_ends_at=new_end)
    )


def test_no_notice_at_the_trial_end() -> None:
    given(*onboarded_customer()).when(sending(TRIAL_ENDS_AT)).then_nothing()


def test_no_notice_after_the_trial_end() -> None:
    given(*onboarded_customer()).when(sending(TRIAL_ENDS_AT + timedelta(days=1))).then_nothing()


def test_only_the_system_records_the_notice() -> None:
    given(*onboarded_customer()).when(
        lambda c: c.record_upgrade_notice_sent(message_id="x", policy=POLICY, at=NOTICE_DUE, by=MSP)
    ).then_refused(Forbidden)
