"""Activation email, link reissue, and activation by the holder of a valid link."""

from __future__ import annotations

from datetime import timedelta

from domain.customer import Customer
from domain.errors import Forbidden, InvalidState, LinkExpired
from domain.values import SYSTEM
from tests.support.events import (
    ACTIVATED_AT,
    POLICY,
    T0,
    activated,
    activation_sent,
    created,
    link_reissued,
    onboarded_customer,
)
from tests.support.principals import DISTRIBUTOR, HOLDER, MSP
from tests.unit.domain.given_when_then import expect, given

LATER = T0 + timedelta(hours=5)


def test_the_sent_activation_email_is_recorded_for_the_link_version() -> None:
    given(created()).when(
        lambda c: c.record_activation_sent(link_version=1, message_id="<a@b>", at=T0, by=SYSTEM)
    ).then(expect(Customer.ActivationSent, link_version=1, message_id="<a@b>"))


def test_the_same_activation_email_recorded_twice_records_nothing_new() -> None:
    given(created(), activation_sent()).when(
        lambda c: c.record_activation_sent(link_version=1, message_id="<a@b>", at=T0, by=SYSTEM)
    ).then_nothing()


def test_only_the_system_records_a_sent_email() -> None:
    given(created()).when(
        lambda c: c.record_activation_sent(link_version=1, message_id="<a@b>", at=T0, by=MSP)
    ).then_refused(Forbidden)


def test_the_owner_reissues_the_link_while_pending_and_not_activated() -> None:
    given(created()).when(
        lambda c: c.reissue_activation_link(policy=POLICY, at=LATER, by=MSP)
    ).then(
        expect(
            Customer.ActivationLinkReissued,
            link_version=2,
            link_expires_at=LATER + timedelta(days=7),
        )
    )


def test_a_reissued_link_can_be_sent_again() -> None:
    given(created(), activation_sent(), link_reissued(LATER)).when(
        lambda c: c.record_activation_sent(link_version=2, message_id="<2>", at=LATER, by=SYSTEM)
    ).then(expect(Customer.ActivationSent, link_version=2))


def test_the_link_cannot_be_reissued_after_activation() -> None:
    given(created(), activated()).when(
        lambda c: c.reissue_activation_link(policy=POLICY, at=LATER, by=MSP)
    ).then_refused(InvalidState, match="already activated")


def test_the_link_cannot_be_reissued_once_onboarded() -> None:
    given(*onboarded_customer()).when(
        lambda c: c.reissue_activation_link(policy=POLICY, at=LATER + timedelta(days=2), by=MSP)
    ).then_refused(InvalidState, match="onboarded")


def test_a_distributor_cannot_reissue_the_link_of_its_msps_customer() -> None:
    given(created()).when(
        lambda c: c.reissue_activation_link(policy=POLICY, at=LATER, by=DISTRIBUTOR)
    ).then_refused(Forbidden, match="read-only")


def test_the_holder_of_a_valid_link_activates_the_customer() -> None:
    given(created()).when(lambda c: c.activate(link_version=1, at=ACTIVATED_AT, by=HOLDER)).then(
        expect(Customer.Activated, link_version=1, timestamp=ACTIVATED_AT, actor=HOLDER)
    )


def test_a_replaced_link_no_longer_activates() -> None:
    given(created(), link_reissued(LATER)).when(
        lambda c: c.activate(link_version=1, at=LATER, by=HOLDER)
    ).then_refused(LinkExpired, match="replaced")


def test_the_reissued_link_activates() -> None:
    given(created(), link_reissued(LATER)).when(
        lambda c: c.activate(link_version=2, at=LATER, by=HOLDER)
    ).then(expect(Customer.Activated, link_version=2))


def test_a_link_still_works_just_before_seven_days() -> None:
    at = T0 + timedelta(days=7) - timedelta(seconds=1)
    given(created()).when(lambda c: c.activate(link_version=1, at=at, by=HOLDER)).then(
        Customer.Activated
    )


def test_a_link_expires_seven_days_after_it_was_issued() -> None:
    at = T0 + timedelta(days=7)
    given(created()).when(lambda c: c.activate(link_version=1, at=at, by=HOLDER)).then_refused(
        LinkExpired, match="expired"
    )


def test_a_reissued_link_gets_seven_fresh_days() -> None:
    reissued_at = T0 + timedelta(days=6)
    at = T0 + timedelta(days=10)
    given(created(), link_reissued(reissued_at)).when(
        lambda c: c.activate(link_version=2, at=at, by=HOLDER)
    ).then(Customer.Activated)


def test_activating_twice_records_nothing_new() -> None:
    when = given(created(), activated()).when(
        lambda c: c.activate(link_version=1, at=LATER, by=HOLDER)
    )
    when.then_nothing()
    assert when.result is False


def test_activating_again_after_the_link_would_have_expired_records_nothing() -> None:
    given(created(), activated()).when(
        lambda c: c.activate(link_version=1, at=T0 + timedelta(days=30), by=HOLDER)
    ).then_nothing()


def test_an_expired_link_can_be_replaced_by_a_reissued_one() -> None:
    at = T0 + timedelta(days=9)
    given(created()).when(lambda c: c.reissue_activation_link(policy=POLICY, at=at, by=MSP)).then(
        expect(
            Customer.ActivationLinkReissued, link_version=2, link_expires_at=at + POLICY.link_ttl
        )
    )


def test_the_sending_of_a_replaced_link_is_not_recorded() -> None:
    given(created(), link_reissued(T0 + timedelta(hours=1))).when(
        lambda c: c.record_activation_sent(
            link_version=1, message_id="<m>", at=T0 + timedelta(hours=2), by=SYSTEM
        )
    ).then_nothing()


def test_the_sending_of_a_link_that_does_not_exist_yet_is_not_recorded() -> None:
    given(created()).when(
        lambda c: c.record_activation_sent(
            link_version=2, message_id="<m>", at=T0 + timedelta(hours=2), by=SYSTEM
        )
    ).then_nothing()
