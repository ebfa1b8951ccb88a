"""The customer use cases: one method per rule of the lifecycle.

One piece (a little over 250 lines): one short method per customer command, all on
the same load-decide-save path (``_command``/``_change``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from application.authorization import can_reach
from application.clock import Clock
from application.dto import Outcome
from application.errors import NotFound
from application.unit_of_work import UnitOfWork
from domain.customer import Customer
from domain.partner import Partner
from domain.values import SYSTEM, Actor, ActorKind, Catalogue, LogLevel, Policy

Decision = Callable[[Customer, datetime], object]  # a command's choice, at an instant


@dataclass(eq=False)
class CustomerCommands:
    """The commands on customers, each decided by the domain on the customer's latest
    state, after its trial has ended if due."""

    uow: UnitOfWork
    clock: Clock
    policy: Policy
    catalogue: Catalogue
    new_id: Callable[[], UUID] = uuid4

    # ------------------------------------------------------------- partners'
    def add(  # noqa: PLR0913
        self,
        *,
        partner_id: UUID,
        organization_name: str,
        notification_email: str,
        sku: str,
        addons: list[str],
        by: Actor,
        direct: bool = False,
    ) -> Outcome:
        # Before the partner is looked up: who may not name it learns nothing of it.
        Customer.check_may_add(partner_id, direct=direct, by=by)
        owner = self.uow.load(Partner, partner_id)
        customer = Customer.add(
            customer_id=self.new_id(),
            organization_name=organization_name,
            notification_email=notification_email,
            sku=sku,
            addons=addons,
            owner=owner,
            direct=direct,
            catalogue=self.catalogue,
            policy=self.policy,
            at=self.clock.now(),
            by=by,
        )
        created, position = self.uow.create(customer)
        if created is not customer:  # done before under this Idempotency-Key
            owner = self.uow.load(Partner, created.state.partner_id)
        return Outcome(position, created, owner)

    def reissue_activation_link(
        self, customer_id: UUID, *, by: Actor, expected_version: int | None = None
    ) -> Outcome:
        return self._command(
            customer_id, by, Customer.reissue_activation_link, expected_version, policy=self.policy
        )

    def extend_trial(
        self, customer_id: UUID, *, by: Actor, expected_version: int | None = None
    ) -> Outcome:
        return self._command(
            customer_id, by, Customer.extend_trial, expected_version, policy=self.policy
        )

    def set_automatic_upgrade(
        self,
        customer_id: UUID,
        *,
        enabled: bool,
        by: Actor,
        expected_version: int | None = None,
    ) -> Outcome:
        return self._command(
            customer_id, by, Customer.set_automatic_upgrade, expected_version, enabled=enabled
        )

    def convert_to_production(  # noqa: PLR0913
        self,
        customer_id: UUID,
        *,
        expiration_date: date,
        sku: str | None = None,
        addons: list[str] | None = None,
        by: Actor,
        expected_version: int | None = None,
    ) -> Outcome:
        owners: list[Partner] = []

        def decide(customer: Customer, now: datetime) -> None:
            owner = self.uow.load(Partner, customer.state.partner_id)
            owners.append(owner)
            customer.convert_to_production(
                expiration_date=expiration_date,
                sku=sku,
                addons=addons,
                owner=owner,
                catalogue=self.catalogue,
                at=now,
                by=by,
            )

        outcome = self._change(customer_id, by, decide, expected_version)
        if not owners:  # done before under this Idempotency-Key: nothing was decided
            owners.append(self.uow.load(Partner, outcome.aggregate.state.partner_id))
        return replace(outcome, owner=owners[-1])

    def change_subscription(  # noqa: PLR0913
        self,
        customer_id: UUID,
        *,
        sku: str | None = None,
        addons: list[str] | None = None,
        expiration_date: date | None = None,
        by: Actor,
        expected_version: int | None = None,
    ) -> Outcome:
        return self._command(
            customer_id,
            by,
            Customer.change_subscription,
            expected_version,
            sku=sku,
            addons=addons,
            expiration_date=expiration_date,
            catalogue=self.catalogue,
        )

    # ------------------------------------------------- customer and importer
    def activate(self, customer_id: UUID, *, link_version: int) -> Outcome:
        by = Actor(kind=ActorKind.CUSTOMER, id=str(customer_id))
        return self._command(customer_id, by, Customer.activate, link_version=link_version)

    def log_import_message(
        self, customer_id: UUID, *, level: LogLevel, message: str, by: Actor
    ) -> Outcome:
        return self._command(
            customer_id, by, Customer.log_import_message, level=level, message=message
        )

    def record_import_failure(
        self, customer_id: UUID, *, code: str, message: str, by: Actor
    ) -> Outcome:
        return self._command(
            customer_id, by, Customer.record_import_failure, code=code, message=message
        )

    def complete_import(self, customer_id: UUID, *, by: Actor) -> Outcome:
        return self._command(customer_id, by, Customer.complete_import, policy=self.policy)

    # ---------------------------------------------------------------- system
    # Each system command is a decision (``Decision``), run either as a command of its
    # own (load, decide, save, retried on a conflict) or, for many customers at once
    # (the process manager's batches), by ``decide_on`` on customers loaded together
    # and saved together with ``save_together``.
    def record_activation_sent(
        self, customer_id: UUID, *, link_version: int, message_id: str
    ) -> Outcome:
        return self._change(customer_id, SYSTEM, self.activation_sent(link_version, message_id))

    def record_upgrade_notice_sent(self, customer_id: UUID, *, message_id: str) -> Outcome:
        return self._change(customer_id, SYSTEM, self.upgrade_notice_sent(message_id))

    def erase_personal_data(self, customer_id: UUID, *, reason: str, by: Actor) -> Outcome:
        """Erase the customer's personal data (application/privacy.py)."""
        return self._command(customer_id, by, Customer.erase_personal_data, reason=reason)

    def end_trial_if_due(self, customer_id: UUID) -> Outcome:
        """Upgrade, or expire when held, once the trial has ended (no-op otherwise)."""
        return self._change(customer_id, SYSTEM, self.trial_end())

    @staticmethod
    def activation_sent(link_version: int, message_id: str) -> Decision:
        return lambda c, now: c.record_activation_sent(
            link_version=link_version, message_id=message_id, at=now, by=SYSTEM
        )

    def upgrade_notice_sent(self, message_id: str) -> Decision:
        return lambda c, now: c.record_upgrade_notice_sent(
            message_id=message_id, policy=self.policy, at=now, by=SYSTEM
        )

    @staticmethod
    def trial_end() -> Decision:
        """Nothing but what every command does first: end the trial if it is due."""
        return lambda c, now: None

    def decide_on(self, customer: Customer, decide: Decision) -> None:
        """``decide`` by the system on ``customer`` as loaded (``UnitOfWork.load_many``),
        at the clock's now, its trial ended first if due, as in every command; what it
        records is saved by ``save_together``."""
        now = self.clock.now()
        customer.end_trial_if_due(policy=self.policy, at=now, by=SYSTEM)
        decide(customer, now)

    def save_together(self, customers: Sequence[Customer]) -> int | None:
        """What ``decide_on`` recorded on ``customers``, in one transaction: all or
        nothing (``UnitOfWork.save_together``)."""
        return self.uow.save_together(customers)

    # -------------------------------------------------------------- plumbing
    def _command(
        self,
        customer_id: UUID,
        by: Actor,
        command: Callable[..., object],
        expected_version: int | None = None,
        **arguments: Any,
    ) -> Outcome:
        """``command`` (a Customer method) on the customer, at the clock's now, by ``by``."""
        return self._change(
            customer_id,
            by,
            lambda c, now: command(c, **arguments, at=now, by=by),
            expected_version,
        )

    def _change(
        self,
        customer_id: UUID,
        by: Actor,
        decide: Callable[[Customer, datetime], object],
        expected_version: int | None = None,
    ) -> Outcome:
        def reachable(customer: Customer) -> None:
            if not can_reach(customer, by):
                raise NotFound(f"no customer {customer_id}")

        def run(customer: Customer, now: datetime) -> None:
            # Time first: a trial that has ended is upgraded (or expired) before any
            # other command is judged, so no command sees a trial that is over.
            customer.end_trial_if_due(policy=self.policy, at=now, by=SYSTEM)
            decide(customer, now)

        customer, position = self.uow.change(
            Customer, customer_id, run, expected_version, check=reachable
        )
        return Outcome(position, customer)
