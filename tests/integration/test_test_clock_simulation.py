"""The test clock simulates time: one long advance leaves the same history and inbox as
the same stretch advanced in many short steps, whatever the customers do meanwhile."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.bootstrap import Services
from application.errors import NotFound
from application.mail import Email, MailError
from domain.errors import DomainError
from tests.support.clocks import START, a_clock
from tests.support.principals import ADMIN
from tests.support.world import World, open_services

HORIZON_H = 40 * 24  # past every trial end and extension a scenario can reach
ACTIONS = ("onboard", "extend", "hold", "release")


class RecordingMail:
    def __init__(self) -> None:
        self.sent: list[Email] = []
        self.lock = threading.Lock()

    def send(self, email: Email) -> None:
        with self.lock:
            self.sent.append(email)


@dataclass(frozen=True)
class Action:
    at_h: int  # hours after the start
    customer: int
    what: str


@dataclass(frozen=True)
class Scenario:
    customers: int
    actions: tuple[Action, ...]


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    customers = draw(st.integers(1, 3))
    onboard = [
        Action(draw(st.integers(0, 8 * 24)), n, "onboard")
        for n in range(customers)
        if draw(st.booleans()) or n == 0
    ]
    later = draw(
        st.lists(
            st.builds(
                Action,
                st.integers(0, HORIZON_H),
                st.integers(0, customers - 1),
                st.sampled_from(ACTIONS[1:]),
            ),
            max_size=8,
        )
    )
    # Extensions aimed at the window of a trial started by the onboarding, or a later one.
    aimed = [
        Action(a.at_h + draw(st.integers(11 * 24, 14 * 24 - 1)), a.customer, "extend")
        for a in onboard
        if draw(st.booleans())
    ]
    return Scenario(customers, tuple(sorted([*onboard, *later, *aimed], key=lambda a: a.at_h)))


class Simulation:
    """The scenario played on a fresh in-memory service, stopping the clock at ``stops``."""

    def __init__(self) -> None:
        self.clock = a_clock()
        self.services: Services = open_services("memory://", self.clock)
        self.mail = RecordingMail()
        self.services.manager.mail = self.mail
        self.world = World(self.services)
        self.outcomes: list[tuple[int, str, str]] = []

    def play(self, scenario: Scenario, stops: set[int]) -> None:
        ids = [self.world.add(email=f"c{n}@example.com") for n in range(scenario.customers)]
        for action in scenario.actions:
            self.advance_to(action.at_h, stops)
            self.outcomes.append(
                (action.customer, action.what, self.do(ids[action.customer], action))
            )
        self.advance_to(HORIZON_H, stops)
        self.ids = ids

    def advance_to(self, hour: int, stops: set[int]) -> None:
        target = START + timedelta(hours=hour)
        for stop in sorted(s for s in stops if START + timedelta(hours=s) < target):
            self.advance(START + timedelta(hours=stop))
        self.advance(target)

    def advance(self, to: datetime) -> None:
        assert self.services.advance_clock(max(timedelta(0), to - self.clock.now()))

    def do(self, customer_id: Any, action: Action) -> str:
        commands, msp = self.services.customers, self.world.msp
        try:
            if action.what == "onboard":
                commands.activate(customer_id, link_version=1)
                commands.complete_import(customer_id, by=self.world.importer)
            elif action.what == "extend":
                commands.extend_trial(customer_id, by=msp)
            else:
                commands.set_automatic_upgrade(
                    customer_id, enabled=action.what == "release", by=msp
                )
        except (DomainError, NotFound) as refused:
            return type(refused).__name__
        return "done"

    def history(self) -> list[list[tuple[str, datetime, datetime]]]:
        return [
            [
                (e.type, e.effective_at, e.recorded_at)
                for e in self.services.queries.history(customer_id, by=ADMIN).events
            ]
            for customer_id in self.ids
        ]

    def inbox(self) -> list[tuple[str, str, datetime, str]]:
        """Each email: to whom, what (the Message-ID without the customer's id), when;
        in the order sent, but by address within an instant (the sweep takes the
        deadlines of one instant in the order of the customers' random ids)."""
        names = {customer_id.hex: f"#{n}" for n, customer_id in enumerate(self.ids)}
        inbox = []
        for email in self.mail.sent:
            what = email.message_id
            for hex_id, name in names.items():
                what = what.replace(hex_id, name)
            inbox.append((email.to, what, email.sent_at, email.subject))
        return sorted(inbox, key=lambda sent: (sent[2], sent[0]))

    def close(self) -> None:
        self.services.close()


@contextmanager
def played(scenario: Scenario, stops: set[int]) -> Iterator[Simulation]:
    simulation = Simulation()
    try:
        simulation.play(scenario, stops)
        yield simulation
    finally:
        simulation.close()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
@given(scenario=scenarios(), cuts=st.sets(st.integers(1, HORIZON_H - 1), max_size=12))
def test_one_long_advance_leaves_the_history_and_inbox_of_many_short_ones(
    scenario: Scenario, cuts: set[int]
) -> None:
    with played(scenario, set()) as long, played(scenario, cuts) as short:
        assert short.outcomes == long.outcomes
        assert short.history() == long.history()
        assert short.inbox() == long.inbox()


def test_a_notice_falling_due_before_a_trial_end_in_one_advance_is_sent_at_its_instant() -> None:
    """The example from the field: the renewed notice and the trial end both fall inside
    one advance; the notice goes out at its own instant, before the trial ends."""
    scenario = Scenario(1, (Action(0, 0, "onboard"), Action(13 * 24, 0, "extend")))
    with played(scenario, {14 * 24}) as simulation:
        [history] = simulation.history()
        assert [t for t, _, _ in history].count("UpgradeNoticeSent") == 2
        notice, upgrade = history[-2:]
        assert notice[0] == "UpgradeNoticeSent"
        assert notice[2] == START + timedelta(days=18)
        assert upgrade[:2] == ("UpgradedToProduction", START + timedelta(days=21))
        [*_, renewed] = simulation.inbox()
        assert renewed[2] == START + timedelta(days=18)


class FlakyMail(RecordingMail):
    """Refuses everything while ``down``, like a mail server that is not up."""

    def __init__(self) -> None:
        super().__init__()
        self.down = False

    def send(self, email: Email) -> None:
        if self.down:
            raise MailError("mail server down")
        super().send(email)


def test_an_advance_stops_where_an_email_could_not_go_out_and_goes_on_from_there() -> None:
    simulation = Simulation()
    mail = simulation.services.manager.mail = FlakyMail()
    try:
        customer = simulation.world.add(email="late@example.com")
        simulation.advance(simulation.clock.now())  # its activation email
        simulation.world.onboard(customer)
        onboarded_at = simulation.clock.now()
        mail.down = True
        services = simulation.services
        impatient = services.settle

        services.settle = lambda timeout=1.0: impatient(timeout)  # type: ignore[method-assign]
        assert not services.advance_clock(timedelta(days=20))

        notice_at = onboarded_at + timedelta(days=11)
        assert simulation.clock.now() == notice_at  # stopped at the notice, not past it
        assert "UpgradeNoticeSent" not in simulation.world.types(customer)
        mail.down = False
        services.settle = impatient  # type: ignore[method-assign]
        assert services.advance_clock(timedelta(days=9))
        events = services.queries.history(customer, by=ADMIN).events
        assert [(e.type, e.recorded_at) for e in events[-2:]] == [
            ("UpgradeNoticeSent", notice_at),
            ("UpgradedToProduction", onboarded_at + timedelta(days=14)),
        ]
    finally:
        simulation.close()
