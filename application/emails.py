"""The emails Tenantry sends: the activation link, the pre-upgrade notice, and a
console user's invitation or sign-in link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape
from uuid import uuid4

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


@dataclass(frozen=True)
class Link:
    url: str
    label: str


@dataclass(frozen=True)
class Strong:
    text: str


@dataclass(frozen=True)
class Em:
    text: str


Part = str | Link | Strong | Em
Paragraph = list[Part]


def _plain(part: Part) -> str:
    if isinstance(part, Link):
        return part.url
    return part if isinstance(part, str) else part.text


def _html(part: Part) -> str:
    if isinstance(part, Link):
        return f'<a href="{escape(part.url)}">{escape(part.label)}</a>'
    if isinstance(part, Strong):
        return f"<strong>{escape(part.text)}</strong>"
    if isinstance(part, Em):
        return f"<em>{escape(part.text)}</em>"
    return escape(part)


def _email(
    to: str,
    subject: str,
    paragraphs: list[Paragraph],
    message_id: str,
    now: datetime,
) -> Email:
    """One message written once: its text part and its HTML part (escaped) from the
    same paragraphs."""
    return Email(
        to=to,
        subject=subject,
        text="\n\n".join("".join(map(_plain, p)) for p in paragraphs) + "\n",
        html="".join(f"<p>{''.join(map(_html, p))}</p>" for p in paragraphs),
        message_id=message_id,
        sent_at=now,
    )


def activation_email(customer: Customer, partner_name: str, url: str, now: datetime) -> Email:
    s = customer.state
    paragraphs: list[Paragraph] = [
        [f"Hello {s.organization_name},"],
        [
            f"{partner_name} has created a tenant for you. To activate it, open this link "
            "and confirm:"
        ],
        [Link(url, "Activate your tenant")],
        [
            f"The link works until {when(s.link_expires_at)}. If it has expired, ask "
            f"{partner_name} for a new one."
        ],
    ]
    subject = f"Activate your tenant from {partner_name}"
    return _email(address(customer), subject, paragraphs, activation_message_id(customer), now)


def upgrade_notice_email(customer: Customer, partner_name: str, now: datetime) -> Email:
    s = customer.state
    assert s.trial_ends_at is not None
    paragraphs: list[Paragraph] = [
        [f"Hello {s.organization_name},"],
        [
            f"Your trial with {partner_name} ends on ",
            Strong(when(s.trial_ends_at)),
            f". It will then be upgraded automatically to a production subscription ({s.sku}).",
        ],
        [
            f"Nothing to do if that is what you want. To keep the trial from being upgraded, "
            f"ask {partner_name} to turn off the automatic upgrade (",
            Em("Manage subscription upgrade"),
            ") before that date; they can also extend the trial by a few days.",
        ],
    ]
    subject = f"Your trial ends on {s.trial_ends_at:%d %B %Y}: automatic upgrade"
    return _email(address(customer), subject, paragraphs, notice_message_id(customer), now)


def address(customer: Customer) -> str:
    """The customer's address: none once erased (its deadlines have no email then)."""
    to = customer.state.notification_email
    if to is None:
        raise ValueError(f"customer {customer.id}: its personal data was erased, no address")
    return to


def sign_in_email(  # noqa: PLR0913
    *,
    to: str,
    name: str,
    partner_name: str,
    url: str,
    expires_at: datetime,
    invited: bool,
    now: datetime,
) -> Email:
    """An invitation to the console, or a sign-in link someone asked for."""
    greeting: Paragraph = [f"Hello {name}," if name else "Hello,"]
    if invited:
        subject = f"You are invited to the Tenantry console of {partner_name}"
        why: Paragraph = [
            f"You are invited to sign in to the Tenantry console as a user of {partner_name}. "
            "To join, open this link and confirm:"
        ]
    else:
        subject = "Your sign-in link to the Tenantry console"
        why = [f"To sign in to the Tenantry console ({partner_name}), open this link and confirm:"]
    paragraphs: list[Paragraph] = [
        greeting,
        why,
        [Link(url, "Sign in to the Tenantry console")],
        [
            f"The link works once, until {when(expires_at)}. If you did not ask for it, "
            "ignore this email: nobody can sign in without the link."
        ],
    ]
    message_id = f"<sign-in.{uuid4().hex}@{MAIL_DOMAIN}>"
    return _email(to, subject, paragraphs, message_id, now)
