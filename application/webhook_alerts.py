"""Telling who looks after a webhook endpoint that Tenantry disabled it (it failed for
3 days): its alert address when it has one; otherwise the console admin users of the
endpoint's own partner who are active (joined, not removed). With neither, nobody is
emailed and a warning names the endpoint.

Once per disablement: the sender calls ``send`` only after its own call recorded the
disabling (``WebhookEndpoints.disable_failing``), so whichever process disables the
endpoint, one call sends. A refused email is logged, never tried again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from uuid import UUID

from application.emails import MAIL_DOMAIN
from application.errors import NotFound
from application.mail import Email, MailError, MailTransport
from application.unit_of_work import UnitOfWork
from application.users import UserDirectory
from domain.user import User, UserStatus
from domain.values import UserRole
from domain.webhook_endpoint import WebhookEndpoint

log = logging.getLogger(__name__)


def disablement_recipients(endpoint: WebhookEndpoint, users: Iterable[User]) -> list[str]:
    """Whom to email that ``endpoint`` was disabled: its alert address if it has one;
    else the addresses of the active admin users of the endpoint's partner among
    ``users`` (sorted; empty: nobody can be told)."""
    if endpoint.state.alert_email is not None:
        return [endpoint.state.alert_email]
    partner_id = endpoint.state.partner_id
    return sorted(
        {
            u.state.email
            for u in users
            if u.state.partner_id == partner_id
            and u.state.role is UserRole.ADMIN
            and u.state.status is UserStatus.ACTIVE
        }
    )


def disabled_endpoint_emails(
    endpoint: WebhookEndpoint, reason: str, now: datetime, recipients: Sequence[str]
) -> list[Email]:
    """The email saying ``endpoint`` (as its disabling left it) was disabled, one per
    recipient; each Message-ID names that disabling (the endpoint's version) and the
    recipient's place, so no two are alike."""
    url = endpoint.state.url
    text = (
        f"Tenantry disabled your webhook endpoint {url} ({endpoint.id}): it has been "
        f"{reason}. Fix the receiver, then enable the endpoint again "
        "(PATCH /v1/webhook-endpoints/{id} with disabled: false) and redeliver what it missed."
    )
    return [
        Email(
            to=to,
            subject="Your Tenantry webhook endpoint was disabled",
            text=text + "\n",
            html=f"<p>{escape(text)}</p>",
            message_id=f"<webhook-disabled.{endpoint.id.hex}.{endpoint.version}.{n}@{MAIL_DOMAIN}>",
            sent_at=now,
        )
        for n, to in enumerate(recipients, start=1)
    ]


@dataclass(frozen=True)
class DisablementAlerts:
    uow: UnitOfWork
    users: UserDirectory
    mail: MailTransport

    def send(self, endpoint: WebhookEndpoint, reason: str, now: datetime) -> None:
        """Email that ``endpoint`` was disabled (call it once, from the call that
        recorded the disabling)."""
        partner_id = endpoint.state.partner_id
        users = [] if endpoint.state.alert_email else self._users_of(partner_id)
        recipients = disablement_recipients(endpoint, users)
        if not recipients:
            log.warning(
                "webhook endpoint %s was disabled but nobody was emailed: it has no "
                "alert_email and its partner %s has no active admin user",
                endpoint.id,
                partner_id,
            )
            return
        for email in disabled_endpoint_emails(endpoint, reason, now, recipients):
            try:
                self.mail.send(email)
            except MailError:
                log.exception(
                    "the disabled-endpoint email %s for %s was not sent",
                    email.message_id,
                    endpoint.id,
                )

    def _users_of(self, partner_id: UUID) -> list[User]:
        found = []
        for user_id in self.users.of_partner(partner_id):
            try:
                found.append(self.uow.load(User, user_id))
            except NotFound:
                continue
        return found
