"""The clock-driven process manager: does what is due, once, whoever runs it.

It reads due work from the deadlines view (an index range scan: its cost grows with
the number due, not the number of customers), claims each deadline with a lease so
parallel workers do not both send an email, and issues the time-driven commands.
Every command is idempotent in the domain (a second notice, upgrade or activation
record for one deadline is a no-op), so a lost claim costs at most a duplicate email
carrying the same Message-ID.

An email that cannot be built (see ``UnsendableEmail``) is one counted, logged failure
of that email: its deadline waits ``UNSENDABLE_RETRY_S`` before the next attempt, the
other deadlines go on, and settling does not wait for it. Any other failure of one
deadline's work is logged and retried with the mail server's back-off; it never stops
the deadlines behind it either.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field

from application.activation_links import LinkSigner
from application.backoff import Backoff
from application.clock import Clock
from application.customers import CustomerCommands
from application.emails import activation_email, upgrade_notice_email
from application.errors import NotFound, TamperedHistory
from application.lists import DueWork
from application.mail import MailError, MailTransport, UnsendableEmail
from application.unit_of_work import UnitOfWork
from domain.customer import Customer, Deadline, DeadlineKind
from domain.partner import Partner
from domain.values import Policy

log = logging.getLogger(__name__)

LEASE_S = 60.0
BACKOFF = Backoff(first=1.0, longest=300.0)  # a deadline whose work failed
UNSENDABLE_RETRY_S = 3600.0  # trying again fails the same way, until a release fixes it


@dataclass
class SweepReport:
    done: int = 0  # deadlines whose work recorded an event
    skipped: int = 0  # claimed elsewhere, backing off, or nothing left to do
    failed: int = 0
    emails_sent: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.done + self.skipped + self.failed


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(kw_only=True, eq=False)
class ProcessManager:
    due_work: DueWork
    customers: CustomerCommands
    uow: UnitOfWork
    mail: MailTransport
    links: LinkSigner
    clock: Clock
    policy: Policy
    owner: str = field(default_factory=_worker_name)  # its leases in work claims
    failures: dict[tuple[str, str], int] = field(default_factory=dict)
    not_before: dict[tuple[str, str], float] = field(default_factory=dict)
    emails_sent: int = 0
    emails_failed: int = 0
    _one_sweep_at_a_time: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def sweep(self, limit: int = 500) -> SweepReport:
        """Handle what is due now (at most ``limit`` deadlines)."""
        with self._one_sweep_at_a_time:
            return self._sweep(limit)

    def _sweep(self, limit: int) -> SweepReport:
        report = SweepReport()
        now = self.clock.now()
        for deadline in self.due_work.due(now, limit):
            key = (str(deadline.customer_id), deadline.kind)
            if self.not_before.get(key, 0.0) > time.time() or not self.due_work.claim(
                deadline, self.owner, time.time() + LEASE_S
            ):
                report.skipped += 1
                continue
            try:
                changed, sent = self.handle(deadline)
            except UnsendableEmail as error:
                log.error(
                    "%s of customer %s not sent: %s", deadline.kind, deadline.customer_id, error
                )
                report.failed += 1
                report.errors.append(str(error))
                self.emails_failed += 1
                self.set_aside(deadline)
            except MailError as error:
                report.failed += 1
                report.errors.append(str(error))
                self.emails_failed += 1
                self.back_off(deadline)
            except NotFound:
                report.skipped += 1
            except TamperedHistory as error:  # logged and counted where found; the others go on
                report.failed += 1
                report.errors.append(str(error))
                self.back_off(deadline)
            except Exception as error:  # a defect for this deadline: the others go on
                log.exception("%s of customer %s failed", deadline.kind, deadline.customer_id)
                report.failed += 1
                report.errors.append(str(error))
                self.back_off(deadline)
            else:
                self.failures.pop(key, None)
                self.not_before.pop(key, None)
                report.done += changed
                report.skipped += not changed
                report.emails_sent += sent
                self.emails_sent += sent
        return report

    def handle(self, deadline: Deadline) -> tuple[bool, int]:
        """Do one deadline's work; say whether it recorded an event and how many
        emails it sent."""
        if deadline.kind == DeadlineKind.TRIAL_END:
            outcome = self.customers.end_trial_if_due(deadline.customer_id)
            return outcome.position is not None, 0
        customer = self.uow.load(Customer, deadline.customer_id)
        now = self.clock.now()
        due = customer.deadlines(self.policy)
        if deadline.kind not in due or due[deadline.kind] > now:
            return False, 0  # already done, or moved: the view has not caught up yet
        partner_name = self.uow.load(Partner, customer.state.partner_id).state.name
        if deadline.kind == DeadlineKind.ACTIVATION_EMAIL:
            version = customer.state.link_version
            url = self.links.url(customer.id, version)
            email = activation_email(customer, partner_name, url, now)
            self.mail.send(email)
            outcome = self.customers.record_activation_sent(
                customer.id, link_version=version, message_id=email.message_id
            )
            return outcome.position is not None, 1
        if deadline.kind == DeadlineKind.UPGRADE_NOTICE:
            trial_ends_at = customer.state.trial_ends_at
            if trial_ends_at is None or now >= trial_ends_at:
                # Too late for a notice: the trial end is due too, so do it now.
                outcome = self.customers.end_trial_if_due(customer.id)
                return outcome.position is not None, 0
            email = upgrade_notice_email(customer, partner_name, now)
            self.mail.send(email)
            outcome = self.customers.record_upgrade_notice_sent(
                customer.id, message_id=email.message_id
            )
            return outcome.position is not None, 1
        log.warning("unknown deadline kind %s", deadline.kind)
        return False, 0

    def set_aside(self, deadline: Deadline) -> None:
        """Leave an email that cannot be built for ``UNSENDABLE_RETRY_S``: no process
        tries it meanwhile (unless its deadline moves), and settling does not wait for it."""
        self.due_work.set_aside(deadline, time.time() + UNSENDABLE_RETRY_S)

    def back_off(self, deadline: Deadline) -> None:
        """Keep the claim for an exponentially growing pause before the next attempt."""
        key = (str(deadline.customer_id), deadline.kind)
        attempts = self.failures.get(key, 0) + 1
        self.failures[key] = attempts
        pause = BACKOFF.pause(attempts)
        self.not_before[key] = time.time() + pause
        self.due_work.claim(deadline, self.owner, time.time() + pause)
