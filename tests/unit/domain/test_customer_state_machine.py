"""Any sequence of commands, at any pace, keeps the customer's invariants.

Hypothesis drives the aggregate directly (as the application does: a trial that has
ended is ended first, then the command is judged) against a plain model of what the
rules say must happen, with a clock that only moves forward.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from domain.aggregate import DomainEvent
from domain.customer import Customer
from domain.errors import DomainError, ExtensionNotYetAvailable
from domain.values import SYSTEM, Actor, LogLevel, PartnerStatus, Stage, Status
from tests.support.events import CATALOGUE, ESSENTIALS, POLICY, PROFESSIONAL, T0, msp_partner
from tests.support.principals import DISTRIBUTOR, HOLDER, IMPORTER, MSP
from tests.unit.domain.given_when_then import CUSTOMER_ID, replay

LEGAL = {
    (Status.TRIAL, Status.PRODUCTION),
    (Status.TRIAL, Status.EXPIRED),
    (Status.EXPIRED, Status.PRODUCTION),
}
PARTNERS = {s: msp_partner(s) for s in PartnerStatus}


class CustomerLifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = T0
        self.customer = Customer.add(
            customer_id=CUSTOMER_ID,
            organization_name="Contoso",
            notification_email="it@contoso.example.com",
            sku=ESSENTIALS,
            addons=[],
            owner=PARTNERS[PartnerStatus.PRODUCTION],
            direct=False,
            catalogue=CATALOGUE,
            policy=POLICY,
            at=self.now,
            by=MSP,
        )
        self.events: list[DomainEvent] = self.customer.collect_events()
        self.model: dict[str, Any] = {
            "status": Status.TRIAL,
            "stage": Stage.PENDING,
            "activated": False,
            "trial_ends_at": None,
            "held": False,
            "trial_endings": 0,
        }

    # ------------------------------------------------------------ plumbing
    def run(self, command: Any) -> tuple[bool, DomainError | None]:
        """End a due trial first (as the application does), then run the command."""
        self.expect_trial_end()
        # The application decides on clones of the state it last saved: nothing a
        # command does to the live aggregate may reach a clone taken before it.
        clone = self.customer.clone()
        kept = (clone.version, clone.state.model_dump())
        self.customer.end_trial_if_due(policy=POLICY, at=self.now, by=SYSTEM)
        self.record()
        try:
            command(self.customer)
        except DomainError as error:
            assert self.customer.collect_events() == [], "a refusal records nothing"
            return False, error
        finally:
            assert (clone.version, clone.state.model_dump()) == kept, "a clone is private"
        return bool(self.record()), None

    def record(self) -> list[DomainEvent]:
        new = self.customer.collect_events()
        for event in new:
            self.check_event(event)
        self.events += new
        return new

    def expect_trial_end(self) -> None:
        m = self.model
        ends = m["trial_ends_at"]
        if m["status"] is Status.TRIAL and ends is not None and self.now >= ends:
            m["status"] = Status.EXPIRED if m["held"] else Status.PRODUCTION
            m["trial_endings"] += 1

    def check_event(self, event: DomainEvent) -> None:
        previous = self.events[-1] if self.events else None
        if previous is not None:
            assert event.timestamp >= previous.timestamp, "timestamps never decrease"
        assert event.recorded_at == self.now, "recorded at the command's instant"
        if isinstance(event, Customer.TrialExtended):
            assert event.trial_ends_at - event.previous_trial_ends_at == timedelta(days=7)
            opens = event.previous_trial_ends_at - timedelta(days=3)
            assert opens <= event.timestamp < event.previous_trial_ends_at
        if isinstance(event, Customer.UpgradedToProduction | Customer.TrialExpired):
            assert event.timestamp == event.trial_ends_at == self.model["trial_ends_at"]
        if isinstance(event, Customer.UpgradedToProduction):
            assert event.expiration_date == event.trial_ends_at.date() + timedelta(days=365)

    @initialize(start=st.sampled_from(["created", "activated", "onboarded", "in its window"]))
    def a_customer_at(self, start: str) -> None:
        """Start most runs further along, so the trial's end is reached often."""
        if start != "created":
            self.now += timedelta(hours=1)
            self.the_holder_activates(current=True)
        if start in ("onboarded", "in its window"):
            self.now += timedelta(hours=1)
            self.the_importer_completes()
        if start == "in its window":
            self.time_reaches_a_landmark("window", 0)

    # --------------------------------------------------------------- clock
    @rule(
        minutes=st.one_of(
            st.integers(min_value=1, max_value=120),
            st.integers(min_value=1, max_value=4 * 24 * 60),
        )
    )
    def time_passes(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    @precondition(lambda self: self.model["trial_ends_at"] is not None)
    @rule(
        landmark=st.sampled_from(["window", "end"]),
        offset=st.sampled_from([0, -1, 1]),
    )
    def time_reaches_a_landmark(self, landmark: str, offset: int) -> None:
        ends: datetime = self.model["trial_ends_at"]
        target = ends - timedelta(days=3) if landmark == "window" else ends
        target += timedelta(seconds=offset)
        self.now = max(self.now, target)

    # ------------------------------------------------------------ commands
    @rule(current=st.booleans())
    def the_holder_activates(self, current: bool) -> None:
        version = self.customer.state.link_version - (0 if current else 1)
        expires = self.customer.state.link_expires_at
        ok, error = self.run(lambda c: c.activate(link_version=version, at=self.now, by=HOLDER))
        valid = current and (self.model["activated"] or self.now < expires)
        assert (error is None) == valid, error
        if valid and not self.model["activated"]:
            assert ok
        self.model["activated"] |= valid

    @rule()
    def the_owner_reissues_the_link(self) -> None:
        ok, _ = self.run(lambda c: c.reissue_activation_link(policy=POLICY, at=self.now, by=MSP))
        assert ok == (self.model["stage"] is Stage.PENDING and not self.model["activated"])

    @rule(fail=st.booleans())
    def the_importer_reports(self, fail: bool) -> None:
        if fail:
            ok, _ = self.run(
                lambda c: c.record_import_failure(code="E", message="x", at=self.now, by=IMPORTER)
            )
        else:
            ok, _ = self.run(
                lambda c: c.log_import_message(
                    level=LogLevel.INFO, message="x", at=self.now, by=IMPORTER
                )
            )
        assert ok == (self.model["activated"] and self.model["stage"] is Stage.PENDING)

    @rule()
    def the_importer_completes(self) -> None:
        ok, _ = self.run(lambda c: c.complete_import(policy=POLICY, at=self.now, by=IMPORTER))
        assert ok == (self.model["activated"] and self.model["stage"] is Stage.PENDING)
        if ok:
            self.model["stage"] = Stage.ONBOARDED
            self.model["trial_ends_at"] = self.now + timedelta(days=14)

    @rule(by=st.sampled_from([MSP, DISTRIBUTOR]))
    def a_partner_extends_the_trial(self, by: Actor) -> None:
        m = self.model
        ok, error = self.run(lambda c: c.extend_trial(policy=POLICY, at=self.now, by=by))
        ends = m["trial_ends_at"]
        in_trial = m["stage"] is Stage.ONBOARDED and m["status"] is Status.TRIAL
        allowed = by == MSP and in_trial and ends - timedelta(days=3) <= self.now < ends
        assert ok == allowed, error
        if ok:
            m["trial_ends_at"] = ends + timedelta(days=7)
        if in_trial and by == MSP and self.now < ends - timedelta(days=3):
            assert isinstance(error, ExtensionNotYetAvailable)
            assert error.available_from == ends - timedelta(days=3)

    @rule(enabled=st.booleans())
    def the_owner_manages_the_upgrade(self, enabled: bool) -> None:
        ok, error = self.run(
            lambda c: c.set_automatic_upgrade(enabled=enabled, at=self.now, by=MSP)
        )
        in_trial = self.model["status"] is Status.TRIAL
        assert (error is None) == in_trial
        assert ok == (in_trial and self.model["held"] == enabled)
        if in_trial:
            self.model["held"] = not enabled

    @rule()
    def the_mailer_sends_the_notice(self) -> None:
        self.run(
            lambda c: c.record_upgrade_notice_sent(
                message_id="n", policy=POLICY, at=self.now, by=SYSTEM
            )
        )

    @rule(partner=st.sampled_from(list(PartnerStatus)), days=st.integers(-2, 400))
    def the_owner_converts(self, partner: PartnerStatus, days: int) -> None:
        m = self.model
        expiration: date = self.now.date() + timedelta(days=days)
        ok, _ = self.run(
            lambda c: c.convert_to_production(
                expiration_date=expiration,
                sku=PROFESSIONAL,
                addons=None,
                owner=PARTNERS[partner],
                catalogue=CATALOGUE,
                at=self.now,
                by=MSP,
            )
        )
        eligible = (m["status"] is Status.TRIAL and m["stage"] is Stage.ONBOARDED) or m[
            "status"
        ] is Status.EXPIRED
        assert ok == (eligible and partner is PartnerStatus.PRODUCTION and days > 0)
        if ok:
            m["status"] = Status.PRODUCTION

    @rule(sku=st.sampled_from([ESSENTIALS, PROFESSIONAL]))
    def the_owner_changes_the_sku(self, sku: str) -> None:
        before = self.customer.state.sku
        ok, error = self.run(
            lambda c: c.change_subscription(
                sku=sku,
                addons=None,
                expiration_date=None,
                catalogue=CATALOGUE,
                at=self.now,
                by=MSP,
            )
        )
        assert error is None
        assert ok == (sku != before)

    @rule()
    def the_process_manager_ticks(self) -> None:
        self.run(lambda c: None)

    # ---------------------------------------------------------- invariants
    @invariant()
    def the_model_and_the_aggregate_agree(self) -> None:
        s = self.customer.state
        m = self.model
        assert (s.status, s.stage, s.trial_ends_at) == (m["status"], m["stage"], m["trial_ends_at"])
        assert s.automatic_upgrade is not m["held"]

    @invariant()
    def only_legal_status_transitions_happen(self) -> None:
        statuses = [Status.TRIAL]
        for event in self.events:
            if isinstance(event, Customer.UpgradedToProduction | Customer.ConvertedToProduction):
                statuses.append(Status.PRODUCTION)
            elif isinstance(event, Customer.TrialExpired):
                statuses.append(Status.EXPIRED)
        for before, after in itertools.pairwise(statuses):
            assert (before, after) in LEGAL
        assert self.customer.state.status is statuses[-1]

    @invariant()
    def a_trial_ends_at_most_once(self) -> None:
        endings = [
            e
            for e in self.events
            if isinstance(e, Customer.UpgradedToProduction | Customer.TrialExpired)
        ]
        assert len(endings) == self.model["trial_endings"] <= 1

    @invariant()
    def the_trial_end_moves_only_by_extensions(self) -> None:
        ends = [
            e.trial_ends_at
            for e in self.events
            if isinstance(e, Customer.Onboarded | Customer.TrialExtended)
        ]
        for before, after in itertools.pairwise(ends):
            assert after - before == timedelta(days=7)

    @invariant()
    def timestamps_never_decrease(self) -> None:
        stamps = [e.timestamp for e in self.events]
        assert stamps == sorted(stamps)

    @invariant()
    def replaying_the_events_gives_the_live_customer(self) -> None:
        rebuilt = replay(self.events)
        assert rebuilt.state == self.customer.state
        assert rebuilt.version == self.customer.version == len(self.events)
        assert rebuilt.modified_on == self.customer.modified_on


CustomerLifecycle.TestCase.settings = settings(
    max_examples=150,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestCustomerLifecycle = CustomerLifecycle.TestCase
