"""Every event records who did it and the instant it was given; policy-decided events
record the numbers they were decided under."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from domain.aggregate import DomainEvent
from domain.customer import Customer
from domain.values import SYSTEM, LogLevel, Policy
from tests.support.events import CATALOGUE, T0, msp_partner
from tests.support.principals import HOLDER, IMPORTER, MSP
from tests.unit.domain.given_when_then import CUSTOMER_ID, replay

# A policy unlike the defaults, so a recorded number cannot be a coincidence.
ODD = Policy(
    trial_days=10,
    extension_days=5,
    extension_window_days=2,
    notice_days=4,
    production_term_days=300,
    link_ttl_days=2,
)


def lifecycle(policy: Policy, start: datetime = T0) -> list[DomainEvent]:
    """Drive a customer through every command, one hour apart, and return its events."""
    at = start
    customer = Customer.add(
        customer_id=CUSTOMER_ID,
        organization_name="Contoso",
        notification_email="it@contoso.example.com",
        sku="ESSENTIALS_MSP_2025",
        addons=[],
        owner=msp_partner(),
        direct=False,
        catalogue=CATALOGUE,
        policy=policy,
        at=at,
        by=MSP,
    )
    step = timedelta(hours=1)
    customer.record_activation_sent(
        link_version=1, message_id="<1>", at=(at := at + step), by=SYSTEM
    )
    customer.reissue_activation_link(policy=policy, at=(at := at + step), by=MSP)
    customer.activate(link_version=2, at=(at := at + step), by=HOLDER)
    customer.log_import_message(level=LogLevel.INFO, message="m", at=(at := at + step), by=IMPORTER)
    customer.record_import_failure(code="E", message="m", at=(at := at + step), by=IMPORTER)
    customer.complete_import(policy=policy, at=(at := at + step), by=IMPORTER)
    ends = customer.state.trial_ends_at
    assert ends is not None
    at = ends - policy.notice
    customer.record_upgrade_notice_sent(message_id="<n>", policy=policy, at=at, by=SYSTEM)
    customer.extend_trial(policy=policy, at=ends - policy.extension_window, by=MSP)
    customer.change_subscription(
        sku=None, addons=["AUDIT"], expiration_date=None, catalogue=CATALOGUE, at=ends, by=MSP
    )
    customer.end_trial_if_due(
        policy=policy, at=ends + policy.extension + timedelta(days=1), by=SYSTEM
    )
    return customer.collect_events()


@pytest.mark.parametrize("policy", [Policy(), ODD], ids=["default", "odd"])
def test_every_event_records_the_actor_and_an_instant_from_the_command(policy: Policy) -> None:
    events = lifecycle(policy)
    assert len(events) == 11
    expected_actors = [MSP, SYSTEM, MSP, HOLDER, IMPORTER, IMPORTER, IMPORTER]
    assert [e.actor for e in events[:7]] == expected_actors
    assert [e.actor for e in events[7:]] == [SYSTEM, MSP, MSP, SYSTEM]
    for event in events:
        assert event.recorded_at.year == 2026, "instants come from the commands, not the wall"
        assert event.timestamp <= event.recorded_at


def test_instants_are_stored_in_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    events = lifecycle(Policy(), start=T0.astimezone(plus_two))
    assert all(e.timestamp.utcoffset() == timedelta(0) for e in events)
    assert events[0].timestamp == T0


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        lifecycle(Policy(), start=datetime(2026, 1, 5, 9))


def test_timestamps_never_decrease_in_a_history() -> None:
    stamps = [e.timestamp for e in lifecycle(ODD)]
    assert stamps == sorted(stamps)


@pytest.mark.parametrize(
    "event_type",
    [
        Customer.Created,
        Customer.ActivationLinkReissued,
        Customer.Onboarded,
        Customer.UpgradeNoticeSent,
        Customer.TrialExtended,
        Customer.UpgradedToProduction,
    ],
)
def test_policy_decided_events_record_the_policy_they_were_decided_under(
    event_type: type[DomainEvent],
) -> None:
    [event] = [e for e in lifecycle(ODD) if type(e) is event_type]
    assert event.policy == ODD  # type: ignore[attr-defined]


def test_the_odd_policy_numbers_drive_the_decisions() -> None:
    events = {type(e): e for e in lifecycle(ODD)}
    onboarded = events[Customer.Onboarded]
    extended = events[Customer.TrialExtended]
    upgraded = events[Customer.UpgradedToProduction]
    assert onboarded.trial_ends_at - onboarded.timestamp == timedelta(days=10)  # type: ignore[attr-defined]
    assert extended.trial_ends_at - extended.previous_trial_ends_at == timedelta(days=5)  # type: ignore[attr-defined]
    ends = extended.trial_ends_at  # type: ignore[attr-defined]
    assert upgraded.expiration_date == ends.date() + timedelta(days=300)  # type: ignore[attr-defined]
    assert upgraded.timestamp == ends


def test_replaying_the_recorded_events_rebuilds_the_same_customer() -> None:
    events = lifecycle(Policy())
    customer = replay(events)
    assert customer.version == len(events)
    assert customer.state.expiration_date == date(
        2027, 1, 26
    )  # trial end 2026-01-26T15:00Z + 365 days
    assert customer.modified_on == events[-1].timestamp
    assert customer.created_on == T0.astimezone(UTC)


def test_an_events_facts_are_its_fields_but_for_the_envelope_every_event_has() -> None:
    customer = Customer.add(
        customer_id=CUSTOMER_ID,
        organization_name="Acme",
        notification_email="it@example.com",
        sku="ESSENTIALS_MSP_2025",
        addons=[],
        owner=msp_partner(),
        direct=False,
        catalogue=CATALOGUE,
        policy=ODD,
        at=T0,
        by=MSP,
    )
    [created] = customer.collect_events()
    envelope = {"originator_id", "originator_version", "timestamp", "recorded_at", "actor"}

    # ``erased`` is said only of an event whose personal fields were read erased.
    assert created.facts().keys() == created.model_dump().keys() - envelope - {"erased"}
