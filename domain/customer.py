"""The Customer aggregate: a partner's customer tenant from creation to production."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Self, cast
from uuid import UUID

from domain import customer_events as events
from domain.aggregate import Aggregate, Snapshot, utc
from domain.customer_state import (
    ACTIVATION_EMAIL,
    TRIAL_END,
    UPGRADE_NOTICE,
    CustomerState,
    Deadline,
    ImportError_,
    LogEntry,
)
from domain.email_address import check_email
from domain.errors import (
    ExtensionNotYetAvailable,
    Forbidden,
    InvalidState,
    LinkExpired,
    NotEligible,
    PartnerInTrial,
    ValidationFailed,
)
from domain.partner import Partner
from domain.rules import (
    check_addons,
    check_code,
    check_message,
    check_organization_name,
    check_sku,
)
from domain.values import (
    Actor,
    ActorKind,
    Catalogue,
    LogLevel,
    PartnerKind,
    PartnerStatus,
    Policy,
    Source,
    Stage,
    Status,
)

__all__ = [
    "ACTIVATION_EMAIL",
    "TRIAL_END",
    "UPGRADE_NOTICE",
    "Customer",
    "CustomerState",
    "Deadline",
    "ImportError_",
    "LogEntry",
    "check_future_date",
]


class Customer(Aggregate):
    SNAPSHOT_TOPIC = "Customer"

    def __init__(self, id: UUID, created_on: datetime, state: CustomerState) -> None:  # noqa: A002
        super().__init__(id, created_on)
        self.state = state

    def snapshot_state(self) -> dict[str, Any]:
        return self.state.model_dump(mode="json")

    @classmethod
    def from_snapshot(cls, snapshot: Snapshot) -> Self:
        state = CustomerState.model_validate(snapshot.state)
        return cls(snapshot.originator_id, snapshot.created_on, state)

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
        at = utc(at)
        event = cls.Created(
            originator_id=customer_id,
            originator_version=1,
            timestamp=at,
            recorded_at=at,
            actor=by,
            organization_name=check_organization_name(organization_name),
            notification_email=check_email(notification_email),
            sku=check_sku(sku, catalogue),
            addons=check_addons(addons, catalogue),
            partner_id=owner.id,
            distributor_id=owner.state.distributor_id,
            source=source,
            link_expires_at=at + policy.link_ttl,
            policy=policy,
        )
        customer = cast("Customer", event.mutate(None))
        customer._pending.append(event)
        return customer

    @staticmethod
    def check_may_add(partner_id: UUID, *, direct: bool, by: Actor) -> None:
        """Decided on the partner's id alone, so it answers alike whether that id names
        a partner or not."""
        if direct and by.kind is not ActorKind.ADMIN:
            raise Forbidden("only the admin creates DIRECT customers")
        if not direct and not (by.is_partner and by.id == str(partner_id)):
            raise Forbidden("a partner adds customers only for itself")

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

    def check_link(self, link_version: int, at: datetime) -> None:
        if link_version != self.state.link_version:
            raise LinkExpired(
                "this link was replaced by a newer one; ask your partner for a new link"
            )
        if self.state.activated_at is None and utc(at) >= self.state.link_expires_at:
            raise LinkExpired(
                f"this link expired at {self.state.link_expires_at:%Y-%m-%d %H:%M} UTC;"
                " ask your partner for a new link"
            )

    def log_import_message(self, *, level: LogLevel, message: str, at: datetime, by: Actor) -> None:
        self.check_importing(by, "log import messages")
        self._trigger(
            self.ImportMessageLogged(
                **self._envelope(at, by), level=level, message=check_message(message)
            )
        )

    def record_import_failure(self, *, code: str, message: str, at: datetime, by: Actor) -> None:
        self.check_importing(by, "record an import failure")
        self._trigger(
            self.ImportFailed(
                **self._envelope(at, by), code=check_code(code), message=check_message(message)
            )
        )

    def complete_import(self, *, policy: Policy, at: datetime, by: Actor) -> None:
        self.check_importing(by, "complete the import")
        self._trigger(
            self.Onboarded(
                **self._envelope(at, by), trial_ends_at=utc(at) + policy.trial, policy=policy
            )
        )

    def notice_due_at(self, policy: Policy) -> datetime | None:
        """When the pre-upgrade notice for the current trial end is due, if one is."""
        s = self.state
        if (
            s.stage is not Stage.ONBOARDED
            or s.status is not Status.TRIAL
            or not s.automatic_upgrade
            or s.trial_ends_at is None
            or s.noticed_trial_end == s.trial_ends_at
        ):
            return None
        return s.trial_ends_at - policy.notice

    def deadlines(self, policy: Policy) -> dict[str, datetime]:
        """The time-driven work this customer waits for, by kind, with its due instant."""
        s = self.state
        due: dict[str, datetime] = {}
        if (
            s.stage is Stage.PENDING
            and s.activated_at is None
            and s.link_version > s.activation_sent_version
        ):
            due[ACTIVATION_EMAIL] = s.link_issued_at
        notice = self.notice_due_at(policy)
        if notice is not None:
            due[UPGRADE_NOTICE] = notice
        if s.stage is Stage.ONBOARDED and s.status is Status.TRIAL and s.trial_ends_at:
            due[TRIAL_END] = s.trial_ends_at
        return due

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

    def extension_window(self, policy: Policy) -> tuple[datetime, datetime] | None:
        if self.state.trial_ends_at is None:
            return None
        return self.state.trial_ends_at - policy.extension_window, self.state.trial_ends_at

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

    def check_extendable(self, policy: Policy, at: datetime, by: Actor) -> None:
        if by.kind is ActorKind.DISTRIBUTOR and by.id == str(self.state.distributor_id):
            raise Forbidden("a distributor may never extend the trials of its MSPs' customers")
        self.check_owner(by, "extend the trial")
        s = self.state
        if s.stage is not Stage.ONBOARDED:
            raise InvalidState("extend the trial", "pending (its trial has not started)")
        if s.status is not Status.TRIAL:
            raise InvalidState("extend the trial", s.status.value)
        window = self.extension_window(policy)
        assert window is not None
        opens, closes = window
        if utc(at) < opens:
            raise ExtensionNotYetAvailable(opens)
        if utc(at) >= closes:
            raise InvalidState("extend the trial", "past its trial end")

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
        if sku is None and addons is None and expiration_date is None:
            raise ValidationFailed("body", "give at least one of sku, addons, expiration_date")
        s = self.state
        if expiration_date is not None:
            if s.status is not Status.PRODUCTION:
                raise InvalidState(
                    "change the expiration date (a trial's end moves only by extending it)",
                    s.status.value,
                )
            check_future_date(expiration_date, at)
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

    # ----------------------------------------------------------------- checks
    def is_owner(self, by: Actor) -> bool:
        return by.is_partner and by.id == str(self.state.partner_id)

    def check_owner(self, by: Actor, action: str) -> None:
        if self.is_owner(by):
            return
        if by.kind is ActorKind.DISTRIBUTOR and by.id == str(self.state.distributor_id):
            raise Forbidden(
                f"a distributor has read-only access to its MSPs' customers: cannot {action}"
            )
        raise Forbidden(f"only the owning partner may {action}")

    def check_actor(self, by: Actor, kind: ActorKind) -> None:
        if by.kind is not kind:
            raise Forbidden(f"only the {kind.value} may do this")

    def check_not_activated(self, action: str) -> None:
        if self.state.stage is not Stage.PENDING:
            raise InvalidState(action, "onboarded")
        if self.state.activated_at is not None:
            raise InvalidState(action, "already activated")

    def check_importing(self, by: Actor, action: str) -> None:
        self.check_actor(by, ActorKind.IMPORTER)
        if self.state.stage is not Stage.PENDING:
            raise InvalidState(action, "onboarded")
        if self.state.activated_at is None:
            raise InvalidState(action, "not activated yet")

    def check_convertible(self, owner: Partner, by: Actor) -> None:
        self.check_owner(by, "convert to production")
        if owner.id != self.state.partner_id:
            raise ValueError("the owner given is not this customer's partner")
        if self.state.source is not Source.MSP or owner.state.kind is not PartnerKind.MSP:
            raise NotEligible(
                "only customers whose source is MSP can be converted "
                f"(this one is {self.state.source.value})"
            )
        if owner.state.status is not PartnerStatus.PRODUCTION:
            raise PartnerInTrial()
        s = self.state
        if not (
            (s.status is Status.TRIAL and s.stage is Stage.ONBOARDED) or s.status is Status.EXPIRED
        ):
            state = "pending" if s.stage is Stage.PENDING else s.status.value
            raise InvalidState("convert to production", state)

    def check_manageable(self, by: Actor) -> None:
        self.check_owner(by, "manage the automatic upgrade")
        self.check_in_trial("manage the automatic upgrade")

    def check_in_trial(self, action: str) -> None:
        if self.state.status is not Status.TRIAL:
            raise InvalidState(action, self.state.status.value)


def check_future_date(value: date, at: datetime) -> date:
    today = utc(at).date()
    if value <= today:
        raise ValidationFailed("expiration_date", f"must be after today ({today.isoformat()})")
    return value
