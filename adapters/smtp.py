"""Mail transports: a real SMTP conversation, or .eml files in an outbox folder."""

from __future__ import annotations

import os
import smtplib
from email.utils import getaddresses
from pathlib import Path

from application.mail import CRLF, Email, MailError, from_header

SMTP_TIMEOUT_S = 10


class SmtpTransport:
    def __init__(self, host: str, port: int, sender: str) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        # MAIL FROM: the sender's address, read as ``smtplib.SMTP.send_message`` reads it
        self.envelope_sender = getaddresses([from_header(sender)])[0][1]

    def send(self, email: Email) -> None:
        # Built and serialized once, UnsendableEmail before any connection: the bytes
        # ``send_message`` wrote (CRLF, body lines "From " quoted).
        wire = email.to_bytes(self.sender, CRLF, mangle_from=True)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_S) as smtp:
                # The envelope names the stored address itself, never one read back
                # from the headers.
                if self.envelope_sender.isascii():
                    smtp.sendmail(self.envelope_sender, [email.to], wire)
                else:  # SMTPUTF8 (the recipient is always ASCII): the library's own way
                    smtp.send_message(email.to_message(self.sender), to_addrs=[email.to])
        except (OSError, smtplib.SMTPException) as error:
            raise MailError(f"SMTP {self.host}:{self.port} did not accept: {error}") from error


class OutboxTransport:
    """Without an SMTP host, each email becomes ``<outbox>/<message-id>.eml``."""

    def __init__(self, folder: Path, sender: str) -> None:
        self.folder = folder
        self.sender = sender

    def send(self, email: Email) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = email.message_id.strip("<>").replace("/", "_").replace("@", "_at_")
        path = self.folder / f"{name}.eml"
        temporary = path.with_suffix(".tmp")
        # Readable by its owner only: the message may hold an activation link.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)  # a leftover temporary file keeps its old mode
        with os.fdopen(descriptor, "wb") as file:
            file.write(email.to_bytes(self.sender))
        temporary.replace(path)
