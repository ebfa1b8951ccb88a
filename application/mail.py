"""The mailer port: an email, a transport that sends it or says it could not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.errors import MessageError
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Protocol

from domain.email_address import check_email
from domain.errors import ValidationFailed


class MailError(Exception):
    """The message was not accepted; sending it again later may work."""


class UnsendableEmail(MailError):
    """The message cannot be built (an address stored before today's rule, a header the
    email library refuses): sending it again will fail the same way."""


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str
    message_id: str  # derived from the event, so a resend carries the same id
    sent_at: datetime

    def to_message(self, sender: str) -> EmailMessage:
        """The message, addressed to exactly ``to``; UnsendableEmail if it has none."""
        check_recipient(self.to)
        try:
            message = EmailMessage()
            message["From"] = sender
            message["To"] = self.to
            message["Subject"] = self.subject
            message["Message-ID"] = self.message_id
            message["Date"] = format_datetime(self.sent_at)
            message.set_content(self.text)
            message.add_alternative(self.html, subtype="html")
            bytes(message)  # what a transport will do: fail here, not half-way through
        except (MessageError, ValueError, LookupError, TypeError, AttributeError) as error:
            raise UnsendableEmail(
                f"{self.message_id}: the message cannot be built: {error}"
            ) from error
        return message


def check_recipient(address: str) -> None:
    """Mail goes only to an address that today's rule keeps exactly as it is stored."""
    try:
        normalized = check_email(address)
    except ValidationFailed as error:
        raise UnsendableEmail(f"cannot send to {address!r}: it {error.message}") from error
    if normalized != address:
        raise UnsendableEmail(f"cannot send to {address!r}: it would be sent to {normalized!r}")


class MailTransport(Protocol):
    def send(self, email: Email) -> None:
        """Hand ``email`` over to ``email.to`` exactly; return only once it was accepted,
        else raise MailError (UnsendableEmail when trying again cannot help)."""
        ...
