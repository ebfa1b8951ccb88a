"""Deciding one deadline: what a due deadline asks of its customer now (see ``DeadlineSteps.step``),
and how due work is cut into batches that never hold two deadlines of one customer
(``batches``). The process manager claims, sends and saves; this module only decides.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from application.activation_links import LinkSigner
from application.customers import CustomerCommands, Decision
from application.dto import Outcome
from application.emails import activation_email, upgrade_notice_email
from application.errors import NotFound
from application.mail import MailTransport
from domain.customer import Customer, Deadline, DeadlineKind
from domain.values import Policy

log = logging.getLogger(__name__)

BATCH = 500  # deadlines claimed, read, decided and saved together


Again = Callable[[], Outcome]  # a step's decision as a command of its own (fresh load)


@dataclass(eq=False)
class Step:
    """One deadline's work in a batch: what to record on the customer (``decide``; None:
    nothing to do), the same as a command of its own (``again``), and, for an email,
    ``send``: it builds and sends the email, then names the decision that records it."""

    deadline: Deadline
    customer: Customer
    decide: Decision | None = None
    again: Again | None = None
    send: Callable[[], tuple[Decision, Again]] | None = None
    sent: int = 0


@dataclass(frozen=True, eq=False)
class DeadlineSteps:
    """What one due deadline asks of its customer, with what it takes to do it."""

    customers: CustomerCommands
    mail: MailTransport
    links: LinkSigner
    policy: Policy

    def step(
        self, deadline: Deadline, customer: Customer, partners: dict[UUID, str], now: datetime
    ) -> Step:
        """What ``deadline`` asks of ``customer`` now: nothing (done already, or moved:
        the view has not caught up yet), a trial end, or an email and its record.
        ``partners`` holds the names of partners, by the time an email is sent."""
        customers, mail, links, policy = self.customers, self.mail, self.links, self.policy
        step = Step(deadline, customer)
        if deadline.kind == DeadlineKind.TRIAL_END:
            step.decide = customers.trial_end()
            step.again = lambda: customers.end_trial_if_due(customer.id)
            return step
        due = customer.deadlines(policy)
        if deadline.kind not in due or due[deadline.kind] > now:
            return step

        def partner_name() -> str:
            partner_id = customer.state.partner_id
            if partner_id not in partners:
                raise NotFound(f"no partner {partner_id}")
            return partners[partner_id]

        if deadline.kind == DeadlineKind.ACTIVATION_EMAIL:
            version = customer.state.link_version

            def send_activation() -> tuple[Decision, Again]:
                url = links.url(customer.id, version)
                email = activation_email(customer, partner_name(), url, now)
                mail.send(email)
                return customers.activation_sent(
                    version, email.message_id
                ), lambda: customers.record_activation_sent(
                    customer.id, link_version=version, message_id=email.message_id
                )

            step.send = send_activation
            return step
        if deadline.kind == DeadlineKind.UPGRADE_NOTICE:
            trial_ends_at = customer.state.trial_ends_at
            if trial_ends_at is None or now >= trial_ends_at:
                # Too late for a notice: the trial end is due too, so do it now.
                step.decide = customers.trial_end()
                step.again = lambda: customers.end_trial_if_due(customer.id)
                return step

            def send_notice() -> tuple[Decision, Again]:
                email = upgrade_notice_email(customer, partner_name(), now)
                mail.send(email)
                return customers.upgrade_notice_sent(
                    email.message_id
                ), lambda: customers.record_upgrade_notice_sent(
                    customer.id, message_id=email.message_id
                )

            step.send = send_notice
            return step
        log.warning("unknown deadline kind %s", deadline.kind)
        return step


def batches(deadlines: list[Deadline], size: int = BATCH) -> list[list[Deadline]]:
    """``deadlines`` (oldest first) in batches that never hold two deadlines of one
    customer: the k-th deadline of each customer goes in a batch after its (k-1)-th,
    so each customer's are done in due order, each at its own step."""
    rounds: list[list[Deadline]] = []
    seen: dict[UUID, int] = {}
    for deadline in deadlines:
        k = seen.get(deadline.customer_id, 0)
        seen[deadline.customer_id] = k + 1
        if k == len(rounds):
            rounds.append([])
        rounds[k].append(deadline)
    return [r[i : i + size] for r in rounds for i in range(0, len(r), size)]
