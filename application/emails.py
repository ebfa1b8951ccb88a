"""The two emails Tenantry sends: the activation link and the pre-upgrade notice."""

from __future__ import annotations

from datetime import datetime
from html import escape

from application.mail import Email
from domain.customer import Customer

MAIL_DOMAIN = "tenantry.invalid"


def activation_message_id(customer: Customer) -> str:
    return f"<activation.{customer.id.hex}.v{customer.state.link_version}@{MAIL_DOMAIN}>"


def notice_message_id(customer: Customer) -> str:
    ends = customer.state.trial_ends_at
    stamp = int(ends.timestamp()) if ends else 0
    return f"<notice.{customer.id.hex}.{stamp}@{MAIL_DOMAIN}>"


def when(instant: datetime) -> str:
    return instant.strftime("%A %d %B %Y at %H:%M UTC")


def activation_email(customer: Customer, partner_name: str, url: str, now: datetime) -> Email:
    s = customer.state
    text = (
        f"Hello {s.organization_name},\n\n"
        f"{partner_name} has created a tenant for you. To activate it, open this link "
        f"and confirm:\n\n{url}\n\n"
        f"The link works until {when(s.link_expires_at)}. If it has expired, ask "
        f"{partner_name} for a new one.\n"
    )
    html = (
        f"<p>Hello {escape(s.organization_name)},</p>"
        f"<p>{escape(partner_name)} has created a tenant for you. To activate it, "
        f'open this link and confirm:</p><p><a href="{escape(url)}">Activate your tenant</a></p>'
        f"<p>The link works until {escape(when(s.link_expires_at))}. If it has expired, ask "
        f"{escape(partner_name)} for a new one.</p>"
    )
    return Email(
        to=s.notification_email,
        subject=f"Activate your tenant from {partner_name}",
        text=text,
        html=html,
        message_id=activation_message_id(customer),
        sent_at=now,
    )


def upgrade_notice_email(customer: Customer, partner_name: str, now: datetime) -> Email:
    s = customer.state
    assert s.trial_ends_at is not None
    ends = when(s.trial_ends_at)
    text = (
        f"Hello {s.organization_name},\n\n"
        f"Your trial with {partner_name} ends on {ends}. It will then be upgraded "
        f"automatically to a production subscription ({s.sku}).\n\n"
        f"Nothing to do if that is what you want. To keep the trial from being upgraded, "
        f"ask {partner_name} to turn off the automatic upgrade (Manage subscription "
        f"upgrade) before that date; they can also extend the trial by a few days.\n"
    )
    html = (
        f"<p>Hello {escape(s.organization_name)},</p>"
        f"<p>Your trial with {escape(partner_name)} ends on <strong>{escape(ends)}</strong>. "
        f"It will then be upgraded automatically to a production subscription "
        f"({escape(s.sku)}).</p><p>Nothing to do if that is what you want. To keep the trial "
        f"from being upgraded, ask {escape(partner_name)} to turn off the automatic upgrade "
        f"(<em>Manage subscription upgrade</em>) before that date; they can also extend the "
        f"trial by a few days.</p>"
    )
    return Email(
        to=s.notification_email,
        subject=f"Your trial ends on {s.trial_ends_at:%d %B %Y}: automatic upgrade",
        text=text,
        html=html,
        message_id=notice_message_id(customer),
        sent_at=now,
    )
