"""The notification address rule: validated and normalized once, here, for every path.

What this returns is what is stored and, unchanged, what mail is sent to: the envelope
recipient and the ``To`` header. So it accepts only addresses that every step after it
keeps as they are:

- a plain ``local@domain`` (no display name, no quoted local part, no domain literal);
- an ASCII local part (a Unicode one needs SMTPUTF8 on every hop to the mailbox);
- an internationalized domain, stored in its ASCII form (``bob@xn--mnchen-3ya.de``),
  which is the one the mail servers use;
- nothing the email library would read differently: an RFC 2047 encoded word
  (``=?utf-8?q?bob?=@example.com``) is decoded by it, to another mailbox or to a
  header it cannot build, so no local part holds ``=?``.
"""

from __future__ import annotations

from email import policy
from email.errors import MessageError

from email_validator import EmailNotValidError, validate_email

from domain.errors import ValidationFailed
from domain.text import check_text

FIELD = "notification_email"
MAX_ADDRESS = 254  # the longest path a mail server must accept (RFC 5321), less <>
MAX_LOCAL_PART = 64  # RFC 5321 again: longer, a mail server may refuse it
ENCODED_WORD = "=?"


def check_email(value: str, field: str = FIELD) -> str:
    """The stored (and sent-to) form of ``value``; ValidationFailed if it has none."""
    try:
        valid = validate_email(
            check_text(value, field).strip(),
            check_deliverability=False,
            allow_smtputf8=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_display_name=False,
        )
    except EmailNotValidError as error:
        raise ValidationFailed(field, f"is not a valid email address ({error})") from error
    address, local_part = valid.ascii_email, valid.ascii_local_part
    if address is None or local_part is None:  # only with a Unicode local part, refused above
        raise ValidationFailed(field, "is not a valid email address")
    if ENCODED_WORD in local_part:
        raise ValidationFailed(field, "must not hold an encoded word (=?...?=)")
    if len(local_part) > MAX_LOCAL_PART:
        raise ValidationFailed(field, f"is too long before the @-sign (at most {MAX_LOCAL_PART})")
    if len(address) > MAX_ADDRESS:
        raise ValidationFailed(field, f"must be at most {MAX_ADDRESS} characters")
    if not survives_mail_headers(address):
        raise ValidationFailed(field, "would be changed by the mail headers")
    return address


def survives_mail_headers(address: str) -> bool:
    """Whether a ``To`` header holding ``address`` reads back as exactly that address."""
    try:
        header = policy.default.header_factory("To", address)
        found = [a.addr_spec for a in header.addresses]
    except (MessageError, ValueError, IndexError, AttributeError):
        return False
    return found == [address] and not header.defects
