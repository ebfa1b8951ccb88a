"""The mailer port: an email, a transport that sends it or says it could not."""

from __future__ import annotations

import functools
import io
import secrets
import sys
from dataclasses import dataclass
from datetime import datetime
from email.errors import MessageError
from email.generator import BytesGenerator
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.policy import default as default_policy
from email.utils import format_datetime
from typing import Protocol

from domain.email_address import check_email
from domain.errors import ValidationFailed

LF = "\n"
CRLF = "\r\n"


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
        return self._built(sender, LF, mangle_from=False)[0]

    def to_bytes(self, sender: str, linesep: str = LF, *, mangle_from: bool = False) -> bytes:
        """The message as a transport hands it over: built once and serialized once, with
        ``linesep`` line ends and, with ``mangle_from``, body lines that begin with "From "
        quoted as ">From " (what ``smtplib.SMTP.send_message`` writes); UnsendableEmail
        if it cannot be built or serialized."""
        return self._built(sender, linesep, mangle_from=mangle_from)[1]

    def _built(self, sender: str, linesep: str, *, mangle_from: bool) -> tuple[EmailMessage, bytes]:
        check_recipient(self.to)
        try:
            message = EmailMessage(policy=_policy(LF))
            message["From"] = sender
            message["To"] = self.to
            message["Subject"] = self.subject
            message["Message-ID"] = self.message_id
            message["Date"] = format_datetime(self.sent_at)
            message.set_content(self.text)
            message.add_alternative(self.html, subtype="html")
            message.set_boundary(self._boundary())
            # What a transport does: fail here, not half-way through a conversation.
            with io.BytesIO() as wire:
                BytesGenerator(wire, mangle_from_=mangle_from, policy=_policy(linesep)).flatten(
                    message
                )
                serialized = wire.getvalue()
        except (MessageError, ValueError, LookupError, TypeError, AttributeError) as error:
            raise UnsendableEmail(
                f"{self.message_id}: the message cannot be built: {error}"
            ) from error
        return message, serialized

    def _boundary(self) -> str:
        """A boundary as the library makes one, found in neither part: the library's own
        check compiles a regular expression for each message (~0.1 ms). Encoded parts
        hold no "==...==" (quoted-printable writes "=3D", base64 has none mid-line), so
        the texts themselves are where it could be."""
        while True:
            boundary = f"{'=' * 15}{secrets.randbelow(sys.maxsize):0{BOUNDARY_DIGITS}d}=="
            if boundary not in self.text and boundary not in self.html:
                return boundary


BOUNDARY_DIGITS = len(repr(sys.maxsize - 1))  # as email.generator writes them
# Headers whose values recur from message to message (the sender, a partner's subject,
# the MIME headers), never an address of a customer nor a unique boundary.
SHARED_HEADERS = frozenset(
    {"from", "subject", "mime-version", "content-type", "content-transfer-encoding"}
)


class SharedHeaders(HeaderRegistry):
    """The email library's headers, a recurring value parsed once per process, each
    header's class made once. An activation email sets ~15 headers, ~10 of them the same
    in every message, and parsing them was most of building it: built and serialized in
    ~2.3 ms before, ~1.1 ms with them shared (timeit, shared machine). A parsed header is
    immutable, so messages can share it.
    """

    def __init__(self) -> None:
        super().__init__()
        self._parsed = functools.lru_cache(maxsize=256)(super().__call__)
        self._classes = functools.lru_cache(maxsize=64)(super().__getitem__)

    def __getitem__(self, name: str) -> type[BaseHeader]:
        # The library makes a new class for each header it parses or sets (~25 µs)
        return self._classes(name.lower())

    def __call__(self, name: str, value: str) -> BaseHeader:
        if name.lower() in SHARED_HEADERS and "boundary=" not in value:
            return self._parsed(name, value)
        return super().__call__(name, value)


@functools.cache
def _policy(linesep: str) -> EmailPolicy[EmailMessage]:
    """The default policy (one per line end, built on first use), its headers shared."""
    if linesep != LF:
        return _policy(LF).clone(linesep=linesep)
    return default_policy.clone(header_factory=SharedHeaders())


def from_header(sender: str) -> str:
    """``sender`` as a message's ``From`` header reads."""
    return str(_policy(LF).header_factory("From", sender))


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
