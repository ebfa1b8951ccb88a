"""The Customer aggregate: a partner's customer tenant from creation to production.

One piece (a little over 250 lines): one method per command of the customer's
lifecycle on one aggregate; its rules are in ``customer_rules``, its state in
``customer_state`` and its events in ``customer_events``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain import customer_events as events
from domain.aggregate import first_envelope, utc
from domain.customer_rules import CustomerRules, check_future_date
from domain.customer_state import CustomerState, Deadline, DeadlineKind
from domain.email_address import check_email
from domain.errors import Forbidden, InvalidState
from domain.partner import Partner
from domain.rules import (
    check_addons,
    check_code,
    check_message,
    check_organization_name,
    check_reason,
    check_sku,
)
from domain.values import Actor, ActorKind, Catalogue, LogLevel, Policy, Source, Stage, Status

__all__ = ["Customer", "CustomerState", "Deadline", "DeadlineKind"]


class Customer(CustomerRules):
    """Its guards and deadlines are ``CustomerRules``' (domain/customer_rules.py)."""

    SNAPSHOT_TOPIC = "Customer"

    # The events of its history (domain/customer_events.py), by their names.
    Event = events.Event
    Created = events.Created
    ActivationSent = events.ActivationSent
    ActivationLinkReissued = events.ActivationLinkReissued
    Activated = events.Activated
    ImportMessageLogged = events.ImportMessageLogged
    ImportFailed = events.ImportFailed
    Onboarded = events.Onboarded
    UpgradeNoticeSent = events.UpgradeNoticeSent
    TrialExtended = events.TrialExtended
    UpgradeHeld = events.UpgradeHeld
    UpgradeReleased = events.UpgradeReleased
    UpgradedToProduction = events.UpgradedToProduction
    TrialExpired = events.TrialExpired
    ConvertedToProduction = events.ConvertedToProduction
    SubscriptionChanged = events.SubscriptionChanged
    PersonalDataErased = events.PersonalDataErased

    @classmethod
    def erased_snapshot_state(cls, state: dict[str, Any]) -> dict[str, Any]:
        erased = CustomerState.model_validate(state)
        erased.without_personal_data()
        return erased.model_dump(mode="json")

    # --------------------------------------------------------------- commands
    @classmethod
    def add(  # noqa: PLR0913
        cls,
        *,
        customer_id: UUID,
        organization_name: str,
        notification_email: str,
        sku: str,
        addons: list[str] | tuple[str, ...],
        owner: Partner,
        direct: bool,
        catalogue: Catalogue,
        policy: Policy,
        at: datetime,
        by: Actor,
    ) -> Customer:
        cls.check_may_add(owner.id, direct=direct, by=by)
        source = Source.DIRECT if direct else Source(owner.state.kind.value.upper())
        return cls._start(
            cls.Created(
                **first_envelope(customer_id, at, by),
                organization_name=check_organization_name(organization_name),
                notification_email=check_email(notification_email),
                sku=check_sku(sku, catalogue),
                addons=check_addons(addons, catalogue),
                partner_id=owner.id,
                distributor_id=owner.state.distributor_id,
                source=source,
                link_expires_at=utc(at) + policy.link_ttl,
                policy=policy,
            )
        )

    def reissue_activation_link(self, *, policy: Policy, at: datetime, by: Actor) -> None:
        self.check_owner(by, "reissue the activation link")
        self.check_not_activated("reissue the activation link")
        self._trigger(
            self.ActivationLinkReissued(
                **self._envelope(at, by),
                link_version=self.state.link_version + 1,
                link_expires_at=utc(at) + policy.link_ttl,
                policy=policy,
            )
        )

    def record_activation_sent(
        self, *, link_version: int, message_id: str, at: datetime, by: Actor
    ) -> bool:
        self.check_actor(by, ActorKind.SYSTEM)
        if link_version != self.state.link_version:
            return False  # a replaced link's email: its successor gets its own
        if link_version <= self.state.activation_sent_version:
            return False
        self._trigger(
            self.ActivationSent(
                **self._envelope(at, by), link_version=link_version, message_id=message_id
            )
        )
        return True

    def activate(self, *, link_version: int, at: datetime, by: Actor) -> bool:
        """Activate with link ``link_version``; activating twice records nothing."""
        self.check_link(link_version, at)
        if self.state.activated_at is not None:
            return False
        self._trigger(self.Activated(**self._envelope(at, by), link_version=link_version))
        return True

    def log_import_message(self, *, level: LogLevel, message: str, at: datetime, by: Actor) -> None:
        self.check_importing(by, "log import messages")
        self._trigger(
            self.ImportMessageLogged(
                **self._envelope(at, by), level=level, message=self._kept(check_message(message))
            )
        )

    def record_import_failure(self, *, code: str, message: str, at: datetime, by: Actor) -> None:
        self.check_importing(by, "record an import failure")
        self._trigger(
            self.ImportFailed(
                **self._envelope(at, by),
                code=check_code(code),
                message=self._kept(check_message(message)),
            )
        )

    def _kept(self, personal: str) -> str | None:
        """Personal data given after the customer's was erased is not kept."""
        return None if self.state.erased else personal

    def complete_import(self, *, policy: Policy, at: datetime, by: Actor) -> None:
        self.check_importing(by, "complete the import")
        self._trigger(
            self.Onboarded(
                **self._envelope(at, by), trial_ends_at=utc(at) + policy.trial, policy=policy
            )
        )

    def record_upgrade_notice_sent(
        self, *, message_id: str, policy: Policy, at: datetime, by: Actor
    ) -> bool:
        self.check_actor(by, ActorKind.SYSTEM)
        due = self.notice_due_at(policy)
        trial_ends_at = self.state.trial_ends_at
        if due is None or trial_ends_at is None or not due <= utc(at) < trial_ends_at:
            return False
        self._trigger(
            self.UpgradeNoticeSent(
                **self._envelope(at, by, effective_at=due),
                trial_ends_at=trial_ends_at,
                message_id=message_id,
                policy=policy,
            )
        )
        return True

    def extend_trial(self, *, policy: Policy, at: datetime, by: Actor) -> None:
        self.check_extendable(policy, at, by)
        previous = self.state.trial_ends_at
        assert previous is not None
        self._trigger(
            self.TrialExtended(
                **self._envelope(at, by),
                previous_trial_ends_at=previous,
                trial_ends_at=previous + policy.extension,
                policy=policy,
            )
        )

    def set_automatic_upgrade(self, *, enabled: bool, at: datetime, by: Actor) -> bool:
        self.check_manageable(by)
        if enabled == self.state.automatic_upgrade:
            return False
        event_class = self.UpgradeReleased if enabled else self.UpgradeHeld
        self._trigger(event_class(**self._envelope(at, by)))
        return True

    def end_trial_if_due(self, *, policy: Policy, at: datetime, by: Actor) -> bool:
        """At the trial end: upgrade to production, or expire when the upgrade is held."""
        self.check_actor(by, ActorKind.SYSTEM)
        s = self.state
        if s.stage is not Stage.ONBOARDED or s.status is not Status.TRIAL:
            return False
        ends = s.trial_ends_at
        if ends is None or utc(at) < ends:
            return False
        envelope = self._envelope(at, by, effective_at=ends)
        if s.automatic_upgrade:
            expiration = ends.date() + policy.production_term
            self._trigger(
                self.UpgradedToProduction(
                    **envelope, trial_ends_at=ends, expiration_date=expiration, policy=policy
                )
            )
        else:
            self._trigger(self.TrialExpired(**envelope, trial_ends_at=ends))
        return True

    def convert_to_production(  # noqa: PLR0913
        self,
        *,
        expiration_date: date,
        sku: str | None,
        addons: list[str] | tuple[str, ...] | None,
        owner: Partner,
        catalogue: Catalogue,
        at: datetime,
        by: Actor,
    ) -> None:
        self.check_convertible(owner, by)
        s = self.state
        self._trigger(
            self.ConvertedToProduction(
                **self._envelope(at, by),
                expiration_date=check_future_date(expiration_date, at),
                sku=s.sku if sku is None else check_sku(sku, catalogue),
                addons=s.addons if addons is None else check_addons(addons, catalogue),
            )
        )

    def change_subscription(  # noqa: PLR0913
        self,
        *,
        sku: str | None,
        addons: list[str] | tuple[str, ...] | None,
        expiration_date: date | None,
        catalogue: Catalogue,
        at: datetime,
        by: Actor,
    ) -> bool:
        self.check_owner(by, "change the subscription")
        self.check_subscription_change(sku, addons, expiration_date, at)
        s = self.state
        new_sku = s.sku if sku is None else check_sku(sku, catalogue)
        new_addons = s.addons if addons is None else check_addons(addons, catalogue)
        new_expiration = s.expiration_date if expiration_date is None else expiration_date
        if (new_sku, new_addons, new_expiration) == (s.sku, s.addons, s.expiration_date):
            return False
        self._trigger(
            self.SubscriptionChanged(
                **self._envelope(at, by),
                sku=new_sku,
                addons=new_addons,
                expiration_date=new_expiration,
            )
        )
        return True

    def erase_personal_data(self, *, reason: str, at: datetime, by: Actor) -> None:
        """Erase the customer's personal data (its owner or the admin): once only."""
        if by.kind is not ActorKind.ADMIN:
            if not by.is_partner:
                raise Forbidden("only the owning partner or the admin may erase personal data")
            self.check_owner(by, "erase the personal data")
        if self.state.erased:
            raise InvalidState("erase the personal data", "erased")
        self._trigger(
            self.PersonalDataErased(**self._envelope(at, by), reason=check_reason(reason))
        )
