"""The mailer port: an email, a transport that sends it or says it could not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Protocol


class MailError(Exception):
    """The message was not accepted; sending it again later may work."""


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str
    message_id: str  # derived from the event, so a resend carries the same id
    sent_at: datetime

    def to_message(self, sender: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = sender
        message["To"] = self.to
        message["Subject"] = self.subject
        message["Message-ID"] = self.message_id
        message["Date"] = format_datetime(self.sent_at)
        message.set_content(self.text)
        message.add_alternative(self.html, subtype="html")
        return message


class MailTransport(Protocol):
    def send(self, email: Email) -> None:
        """Hand ``email`` over; return only once it was accepted, else raise MailError."""
        ...
