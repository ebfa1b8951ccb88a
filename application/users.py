"""A partner's users: invited by the admin or the partner's admin users, signed in with
one-time links sent by email, their roles changed, removed.

Who may see a user: the admin, and the users of the same partner; anyone else is told
there is no such user. Asking for a sign-in link answers nothing either way: whether an
address is a user's is not told (the caller shows the same page).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from pydantic import BaseModel

from application.clock import Clock
from application.emails import sign_in_email
from application.errors import NotFound
from application.mail import MailError, MailTransport
from application.sign_in_links import Purpose, SignInLinks
from application.unit_of_work import UnitOfWork
from domain.email_address import check_email
from domain.errors import ValidationFailed
from domain.partner import Partner
from domain.user import User, UserStatus, user_id_for
from domain.values import Actor, ActorKind, UserRole

log = logging.getLogger("tenantry.users")


class UserDTO(BaseModel):
    id: UUID
    version: int
    partner_id: UUID
    email: str
    name: str
    role: UserRole
    status: UserStatus
    invited_at: datetime

    @classmethod
    def of(cls, user: User) -> UserDTO:
        s = user.state
        return cls.model_validate(  # the state's fields, by name, and the aggregate's
            dict(s) | {"id": user.id, "version": user.version, "invited_at": user.created_on}
        )


@dataclass(frozen=True)
class Invitation:
    user: UserDTO
    url: str  # the one-time link; shown only where no mail server would carry it
    emailed: bool  # the mail server (or the outbox) took it


class UserDirectory(Protocol):
    def of_partner(self, partner_id: UUID) -> list[UUID]: ...


@dataclass(eq=False)
class UserCommands:
    uow: UnitOfWork
    clock: Clock
    links: SignInLinks
    mail: MailTransport
    directory: UserDirectory

    # ------------------------------------------------------------ managing
    def invite(
        self,
        *,
        partner_id: UUID,
        email: str,
        name: str = "",
        role: UserRole = UserRole.MEMBER,
        by: Actor,
    ) -> Invitation:
        """Invite a user of the partner and email them a one-time link."""
        try:
            partner = self.uow.load(Partner, partner_id)
        except NotFound:
            if by.kind is ActorKind.ADMIN:
                raise
            raise NotFound(f"no partner {partner_id}") from None
        inviter = self._manager(by)
        user_id = user_id_for(check_email(email, "email"))

        def invite(existing: User | None, now: datetime) -> User:
            return User.invite(
                existing=existing,
                partner=partner,
                email=email,
                name=name,
                role=role,
                at=now,
                by=by,
                inviter=inviter,
            )

        try:
            existing = self.uow.load(User, user_id)
        except NotFound:
            user, _ = self.uow.create(invite(None, self.clock.now()))
        else:
            del existing  # decided on again as the unit of work loads it
            user, _ = self.uow.change(User, user_id, invite)
        url, emailed = self._send(user, partner, Purpose.INVITATION)
        return Invitation(UserDTO.of(user), url, emailed)

    def change_role(self, user_id: UUID, *, role: UserRole, by: Actor) -> UserDTO:
        manager = self._manager(by)
        user, _ = self.uow.change(
            User,
            user_id,
            lambda u, now: u.change_role(role=role, at=now, by=by, manager=manager),
            check=lambda u: self._check_visible(u, by),
        )
        return UserDTO.of(user)

    def remove(self, user_id: UUID, *, by: Actor) -> UserDTO:
        """Remove the user; their sessions end at their next request."""
        manager = self._manager(by)
        user, _ = self.uow.change(
            User,
            user_id,
            lambda u, now: u.remove(at=now, by=by, manager=manager),
            check=lambda u: self._check_visible(u, by),
        )
        return UserDTO.of(user)

    # ------------------------------------------------------------ reading
    def of_partner(self, partner_id: UUID, *, by: Actor) -> list[UserDTO]:
        if not (by.kind is ActorKind.ADMIN or (by.user_id and by.id == str(partner_id))):
            raise NotFound(f"no partner {partner_id}")
        users = [self.uow.load(User, i) for i in self.directory.of_partner(partner_id)]
        return [UserDTO.of(u) for u in users if u.state.partner_id == partner_id]

    def get(self, user_id: UUID) -> UserDTO | None:
        """The user, for who may see them already (a session's own person, a history's)."""
        try:
            return UserDTO.of(self.uow.load(User, user_id))
        except NotFound:
            return None

    # ------------------------------------------------------------ signing in
    def email_sign_in_link(self, email: str) -> None:
        """Email a sign-in link to ``email`` if it is the address of a user who was not
        removed; nothing otherwise, and nothing tells which."""
        try:
            user = self.uow.load(User, user_id_for(check_email(email, "email")))
        except (ValidationFailed, NotFound):
            return
        if user.removed:
            return
        self._send(user, self.uow.load(Partner, user.state.partner_id), Purpose.SIGN_IN)

    def link_holder(self, token: str) -> User | None:
        """Whom a live link signs in, leaving the link as it is (its page only shows it)."""
        link = self.links.peek(token)
        return None if link is None else self._signing_in(link.user_id)

    def redeem(self, token: str) -> User | None:
        """Use up the link; the user it signs in (joined now if they were invited), or
        None when the link is used, expired, or its user removed."""
        link = self.links.consume(token)
        user = None if link is None else self._signing_in(link.user_id)
        if user is None or user.state.status is not UserStatus.INVITED:
            return user
        joined, _ = self.uow.change(User, user.id, lambda u, now: u.join(at=now))
        return joined

    # ------------------------------------------------------------ helpers
    def _signing_in(self, user_id: UUID) -> User | None:
        user = self.uow.find(User, user_id)
        return None if user is None or user.removed else user

    def _send(self, user: User, partner: Partner, purpose: Purpose) -> tuple[str, bool]:
        issued = self.links.issue(user.id, purpose)
        email = sign_in_email(
            to=user.state.email,
            name=user.state.name,
            partner_name=partner.state.name,
            url=issued.url,
            expires_at=issued.link.expires_at,
            invited=purpose is Purpose.INVITATION,
            now=self.clock.now(),
        )
        try:
            self.mail.send(email)
        except MailError as error:
            log.warning("the %s email to user %s was not sent: %s", purpose, user.id, error)
            return issued.url, False
        return issued.url, True

    def _manager(self, by: Actor) -> User | None:
        """The user ``by`` names, if a person acts."""
        return None if by.user_id is None else self.uow.find(User, by.user_id)

    def _check_visible(self, user: User, by: Actor) -> None:
        if by.kind is ActorKind.ADMIN:
            return
        if by.user_id is None or by.id != str(user.state.partner_id):
            raise NotFound(f"no user {user.id}")
