"""The clock-driven process manager: does what is due, once, whoever runs it.

It reads due work from the deadlines view (an index range scan: its cost grows with
the number due, not the number of customers), claims each deadline with a lease so
parallel workers do not both send an email, and issues the time-driven commands.
Every command is idempotent in the domain (a second notice, upgrade or activation
record for one deadline is a no-op), so a lost claim costs at most a duplicate email
carrying the same Message-ID.

Due work goes in batches (``deadline_steps.batches``: up to ``BATCH`` deadlines, never two of one
customer, so each customer's are done in due order): one statement claims a batch,
one read loads its customers (and one their partners, for emails), each email is sent,
and then one save records every decision in one transaction. An email is always sent
before its event is recorded: a crash in between resends it (same Message-ID) once
the lease runs out, and the record lands once. If the read or the save fails (another
writer changed one of the customers, a history that does not verify), the batch goes
on one deadline at a time, each a command of its own; emails sent are not sent again.

An email that cannot be built (see ``UnsendableEmail``) is one counted, logged failure
of that email: its deadline waits ``UNSENDABLE_RETRY_S`` before the next attempt, the
other deadlines go on, and settling does not wait for it. Any other failure of one
deadline's work is logged and retried with the mail server's back-off; it never stops
the deadlines behind it either.

One piece (a little over 250 lines): claiming, sending, saving and the fall-back to one
deadline at a time share the lease and the back-off state of one sweep; what one deadline
asks for is decided in ``deadline_steps``.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from application.activation_links import LinkSigner
from application.backoff import Backoff
from application.clock import Clock
from application.customers import CustomerCommands
from application.deadline_steps import BATCH, DeadlineSteps, Step, batches
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
    batch_size: int = BATCH
    _one_sweep_at_a_time: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def sweep(self, limit: int | None = None) -> SweepReport:
        """Handle what is due now (at most ``limit`` deadlines, a batch's by default)."""
        with self._one_sweep_at_a_time:
            return self._sweep(self.batch_size if limit is None else limit)

    def _sweep(self, limit: int) -> SweepReport:
        report = SweepReport()
        for batch in batches(self.due_work.due(self.clock.now(), limit), self.batch_size):
            self._batch(batch, report)
        return report

    # ------------------------------------------------------------------ batches
    def _batch(self, deadlines: list[Deadline], report: SweepReport) -> None:
        """Claim, load, decide and save ``deadlines`` (of distinct customers) together:
        one claim statement, one read of the customers (one of their partners, for
        emails), each email sent, then one save of what was decided. A failure of one
        deadline's email is that deadline's; a failure of the read or of the save falls
        back to one deadline at a time (emails sent are not sent again)."""
        ready = [d for d in deadlines if self.not_before.get(_key(d), 0.0) <= time.time()]
        until = time.time() + LEASE_S
        taken = self.due_work.claim_many(ready, self.owner, until) if ready else []
        report.skipped += len(deadlines) - len(taken)
        try:
            steps = self._steps(taken)
        except Exception:
            log.warning(
                "%d deadlines read together failed: one at a time", len(taken), exc_info=True
            )
            for deadline in taken:
                self._one(deadline, report)
            return
        report.skipped += len(taken) - len(steps)  # no such customer
        decided: list[Step] = []
        lost: set[Deadline] = set()  # taken over by another worker once the lease ran out
        for n, step in enumerate(steps):
            if step.deadline in lost:
                report.skipped += 1
                continue
            if step.send is not None:
                if time.time() > until - LEASE_S / 2:  # slow mail: keep the rest claimed
                    until = time.time() + LEASE_S
                    rest = {s.deadline for s in steps[n:]}
                    lost |= rest - self._renew(steps[n:], until)
                    if step.deadline in lost:
                        report.skipped += 1
                        continue
                try:
                    step.decide, step.again = step.send()
                except Exception as error:
                    self._failure(step.deadline, error, report)
                    continue
                step.sent = 1
            decided.append(step)
        self._record(decided, report)

    def _renew(self, steps: list[Step], until: float) -> set[Deadline]:
        return set(self.due_work.claim_many([s.deadline for s in steps], self.owner, until))

    def _steps(self, deadlines: list[Deadline]) -> list[Step]:
        """Each deadline's work, on its customer read with the others'."""
        customers = self.uow.load_many(Customer, [d.customer_id for d in deadlines])
        now = self.clock.now()
        partners: dict[UUID, str] = {}
        steps = [
            self._step(d, c, partners, now)
            for d in deadlines
            if (c := customers.get(d.customer_id)) is not None
        ]
        emailed = {s.customer.state.partner_id for s in steps if s.send is not None}
        for partner_id, partner in self.uow.load_many(Partner, emailed).items():
            partners[partner_id] = partner.state.name
        return steps

    def _step(
        self, deadline: Deadline, customer: Customer, partners: dict[UUID, str], now: datetime
    ) -> Step:
        """What ``deadline`` asks of ``customer`` now (see ``deadline_steps.DeadlineSteps``)."""
        return DeadlineSteps(self.customers, self.mail, self.links, self.policy).step(
            deadline, customer, partners, now
        )

    def _record(self, steps: list[Step], report: SweepReport) -> None:
        """Decide each step on its customer and save them all in one transaction; on a
        failure, each step again as a command of its own."""
        alone: list[Step] = []
        together: list[Step] = []
        for step in steps:
            if step.decide is None:
                self._success(step.deadline, changed=False, sent=step.sent, report=report)
                continue
            try:
                self.customers.decide_on(step.customer, step.decide)
            except Exception:  # judged again on a fresh load, where it fails or not
                alone.append(step)
                continue
            together.append(step)
        changed = {id(s) for s in together if s.customer.has_pending_events}
        try:
            self.customers.save_together([s.customer for s in together])
        except Exception:
            log.warning(
                "%d deadlines saved together failed: one at a time", len(together), exc_info=True
            )
            alone += together
        else:
            for step in together:
                self._success(
                    step.deadline, changed=id(step) in changed, sent=step.sent, report=report
                )
        for step in alone:
            try:
                assert step.again is not None
                outcome = step.again()
            except Exception as error:
                self._failure(step.deadline, error, report)
            else:
                self._success(
                    step.deadline,
                    changed=outcome.position is not None,
                    sent=step.sent,
                    report=report,
                )

    # --------------------------------------------------------------- one at a time
    def _one(self, deadline: Deadline, report: SweepReport) -> None:
        try:
            changed, sent = self.handle(deadline)
        except Exception as error:
            self._failure(deadline, error, report)
        else:
            self._success(deadline, changed=changed, sent=sent, report=report)

    def handle(self, deadline: Deadline) -> tuple[bool, int]:
        """Do one deadline's work on its own (claimed already); say whether it recorded
        an event and how many emails it sent."""
        if deadline.kind == DeadlineKind.TRIAL_END:
            outcome = self.customers.end_trial_if_due(deadline.customer_id)
            return outcome.position is not None, 0
        customer = self.uow.load(Customer, deadline.customer_id)
        partners: dict[UUID, str] = {}
        step = self._step(deadline, customer, partners, self.clock.now())
        if step.send is not None:
            partner = self.uow.load(Partner, customer.state.partner_id)
            partners[partner.id] = partner.state.name
            step.decide, step.again = step.send()
            step.sent = 1
        if step.again is None:
            return False, 0
        return step.again().position is not None, step.sent

    def _success(
        self, deadline: Deadline, *, changed: bool, sent: int, report: SweepReport
    ) -> None:
        self.failures.pop(_key(deadline), None)
        self.not_before.pop(_key(deadline), None)
        report.done += changed
        report.skipped += not changed
        report.emails_sent += sent
        self.emails_sent += sent

    def _failure(self, deadline: Deadline, error: Exception, report: SweepReport) -> None:
        """Called while ``error`` is handled: counted, logged where it is not already,
        and the deadline backs off (or is set aside); the others go on."""
        if isinstance(error, NotFound):
            report.skipped += 1
            return
        report.failed += 1
        report.errors.append(str(error))
        if isinstance(error, UnsendableEmail):
            log.error("%s of customer %s not sent: %s", deadline.kind, deadline.customer_id, error)
            self.emails_failed += 1
            self.set_aside(deadline)
            return
        if isinstance(error, MailError):
            self.emails_failed += 1
        elif not isinstance(error, TamperedHistory):  # that one is logged where found
            log.exception("%s of customer %s failed", deadline.kind, deadline.customer_id)
        self.back_off(deadline)

    def set_aside(self, deadline: Deadline) -> None:
        """Leave an email that cannot be built for ``UNSENDABLE_RETRY_S``: no process
        tries it meanwhile (unless its deadline moves), and settling does not wait for it."""
        self.due_work.set_aside(deadline, time.time() + UNSENDABLE_RETRY_S)

    def back_off(self, deadline: Deadline) -> None:
        """Keep the claim for an exponentially growing pause before the next attempt."""
        key = _key(deadline)
        attempts = self.failures.get(key, 0) + 1
        self.failures[key] = attempts
        pause = BACKOFF.pause(attempts)
        self.not_before[key] = time.time() + pause
        self.due_work.claim(deadline, self.owner, time.time() + pause)


def _key(deadline: Deadline) -> tuple[str, str]:
    return str(deadline.customer_id), deadline.kind
