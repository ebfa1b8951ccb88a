"""What a customer's state allows and what it waits for: the guards its commands run
(``check_*``, which raise) and the instants its time-driven work falls due at. Nothing
here records an event; the commands are in ``domain/customer.py``."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from domain.aggregate import Stateful, utc
from domain.customer_state import CustomerState, DeadlineKind
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
from domain.values import (
    Actor,
    ActorKind,
    PartnerKind,
    PartnerStatus,
    Policy,
    Source,
    Stage,
    Status,
)


class CustomerRules(Stateful[CustomerState]):
    state_type = CustomerState

    # -------------------------------------------------------------- deadlines
    def deadlines(self, policy: Policy) -> dict[DeadlineKind, datetime]:
        """The time-driven work this customer waits for, by kind, with its due instant
        (the deadlines view holds these rows, the process manager does the work)."""
        s = self.state
        due: dict[DeadlineKind, datetime] = {}
        if s.erased:  # no email is sent to an erased address: only the trial's end is due
            if s.stage is Stage.ONBOARDED and s.status is Status.TRIAL and s.trial_ends_at:
                due[DeadlineKind.TRIAL_END] = s.trial_ends_at
            return due
        if (
            s.stage is Stage.PENDING
            and s.activated_at is None
            and s.link_version > s.activation_sent_version
        ):
            due[DeadlineKind.ACTIVATION_EMAIL] = s.link_issued_at
        notice = self.notice_due_at(policy)
        if notice is not None:
            due[DeadlineKind.UPGRADE_NOTICE] = notice
        if s.stage is Stage.ONBOARDED and s.status is Status.TRIAL and s.trial_ends_at:
            due[DeadlineKind.TRIAL_END] = s.trial_ends_at
        return due

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

    def extension_window(self, policy: Policy) -> tuple[datetime, datetime] | None:
        if self.state.trial_ends_at is None:
            return None
        return self.state.trial_ends_at - policy.extension_window, self.state.trial_ends_at

    # ----------------------------------------------------------------- checks
    @staticmethod
    def check_may_add(partner_id: UUID, *, direct: bool, by: Actor) -> None:
        """Decided on the partner's id alone, so it answers alike whether that id names
        a partner or not."""
        if direct and by.kind is not ActorKind.ADMIN:
            raise Forbidden("only the admin creates DIRECT customers")
        if not direct and not (by.is_partner and by.id == str(partner_id)):
            raise Forbidden("a partner adds customers only for itself")

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

    def check_subscription_change(
        self,
        sku: str | None,
        addons: list[str] | tuple[str, ...] | None,
        expiration_date: date | None,
        at: datetime,
    ) -> None:
        if sku is None and addons is None and expiration_date is None:
            raise ValidationFailed("body", "give at least one of sku, addons, expiration_date")
        if expiration_date is not None:
            if self.state.status is not Status.PRODUCTION:
                raise InvalidState(
                    "change the expiration date (a trial's end moves only by extending it)",
                    self.state.status.value,
                )
            check_future_date(expiration_date, at)

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
