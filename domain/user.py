"""The User aggregate: a person of one partner, who signs in to the console by email.

A user is invited (by the admin, or by an ``admin`` user of the same partner), joins
when they first sign in, may have their role changed and may be removed; a removed
user may be invited again (to any partner). A user's id follows from their email
address (``user_id_for``): an address names at most one user, found without a view.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid5

from pydantic import BaseModel, ConfigDict

from domain.aggregate import DomainEvent, Stateful, first_envelope
from domain.email_address import check_email
from domain.errors import Forbidden, NotEligible, ValidationFailed
from domain.partner import Partner
from domain.rules import check_name
from domain.values import Actor, ActorKind, PartnerKind, UserRole

# The namespace of the users' ids (uuid5 of the lower-cased address).
USERS = UUID("6f6b1d0e-2f7c-4d55-9a43-8f0d7a3c5e21")
ONLY_ADMINS = "only the admin or an admin user of the partner manages its users"


class UserStatus(StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    REMOVED = "removed"


def user_id_for(email: str) -> UUID:
    return uuid5(USERS, email.lower())


class UserState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    partner_id: UUID
    partner_kind: PartnerKind
    email: str
    name: str
    role: UserRole
    status: UserStatus


class User(Stateful[UserState]):
    SNAPSHOT_TOPIC = "User"
    state_type = UserState

    class Invited(DomainEvent):
        """The first event of a user, or the next one of a removed user invited again."""

        TOPIC = "User.Invited"
        partner_id: UUID
        partner_kind: PartnerKind
        email: str
        name: str
        role: UserRole

        def invited(self) -> UserState:
            fields = self.values_of("partner_id", "partner_kind", "email", "name", "role")
            return UserState(**fields, status=UserStatus.INVITED)

        def mutate(self, aggregate: Any) -> Any:
            if aggregate is None:
                return User.created(self, self.invited())
            return super().mutate(aggregate)

        def apply(self, aggregate: Any) -> None:
            aggregate.state = self.invited()

    class Joined(DomainEvent):
        TOPIC = "User.Joined"

        def apply(self, aggregate: Any) -> None:
            aggregate.state.status = UserStatus.ACTIVE

    class RoleChanged(DomainEvent):
        TOPIC = "User.RoleChanged"
        role: UserRole

        def apply(self, aggregate: Any) -> None:
            aggregate.state.role = self.role

    class Removed(DomainEvent):
        TOPIC = "User.Removed"

        def apply(self, aggregate: Any) -> None:
            aggregate.state.status = UserStatus.REMOVED

    # ------------------------------------------------------------------ commands
    @classmethod
    def invite(  # noqa: PLR0913
        cls,
        *,
        existing: User | None,
        partner: Partner,
        email: str,
        name: str,
        role: UserRole,
        at: datetime,
        by: Actor,
        inviter: User | None,
    ) -> User:
        """A new user (or ``existing``, removed, invited again). ``inviter``: the user
        ``by`` names, when a person invites."""
        check_manager(partner.id, by, inviter)
        address = check_email(email, "email")
        given = check_name(name) if name.strip() else ""
        if existing is not None and existing.state.status is not UserStatus.REMOVED:
            raise ValidationFailed("email", "is already the address of a user")
        facts = {
            "partner_id": partner.id,
            "partner_kind": partner.state.kind,
            "email": address,
            "name": given,
            "role": role,
        }
        if existing is None:
            return cls._start(cls.Invited(**first_envelope(user_id_for(address), at, by), **facts))
        existing._trigger(cls.Invited(**existing._envelope(at, by), **facts))
        return existing

    def join(self, *, at: datetime) -> bool:
        """The user signed in from a link: an invited user joins (recorded by themself)."""
        self.check_not_removed("sign in")
        if self.state.status is UserStatus.ACTIVE:
            return False
        self._trigger(self.Joined(**self._envelope(at, self.actor)))
        return True

    def change_role(self, *, role: UserRole, at: datetime, by: Actor, manager: User | None) -> bool:
        check_manager(self.state.partner_id, by, manager)
        self.check_not_removed("change the role")
        self.check_not_self(by, "change their own role")
        if role is self.state.role:
            return False
        self._trigger(self.RoleChanged(**self._envelope(at, by), role=role))
        return True

    def remove(self, *, at: datetime, by: Actor, manager: User | None) -> bool:
        check_manager(self.state.partner_id, by, manager)
        self.check_not_self(by, "remove themselves")
        if self.state.status is UserStatus.REMOVED:
            return False
        self._trigger(self.Removed(**self._envelope(at, by)))
        return True

    # ------------------------------------------------------------------ reading
    @property
    def removed(self) -> bool:
        return self.state.status is UserStatus.REMOVED

    @property
    def is_admin(self) -> bool:
        return self.state.role is UserRole.ADMIN and not self.removed

    @property
    def actor(self) -> Actor:
        """The user as the actor of what they do: their partner (the principal whose
        rules apply), and themself."""
        s = self.state
        return Actor(kind=ActorKind(s.partner_kind.value), id=str(s.partner_id), user_id=self.id)

    @property
    def label(self) -> str:
        """``Ada Lovelace (ada@msp.example)``, or the address alone without a name."""
        s = self.state
        return f"{s.name} ({s.email})" if s.name else s.email

    def check_not_removed(self, action: str) -> None:
        if self.removed:
            raise NotEligible(f"the user was removed: cannot {action}")

    def check_not_self(self, by: Actor, action: str) -> None:
        if by.user_id == self.id:
            raise NotEligible(f"a user cannot {action}")


def check_manager(partner_id: UUID, by: Actor, manager: User | None) -> None:
    """The admin, or an admin user of the partner (``manager`` is the user ``by`` names)."""
    if by.kind is ActorKind.ADMIN:
        return
    if (
        by.is_partner
        and by.id == str(partner_id)
        and by.user_id is not None
        and manager is not None
        and manager.id == by.user_id
        and manager.state.partner_id == partner_id
        and manager.is_admin
    ):
        return
    raise Forbidden(ONLY_ADMINS)
