"""The message an Email becomes: addressed to exactly the stored address, or
UnsendableEmail when it cannot be (an address from an older rule, a refused header)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.utils import format_datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from application.mail import CRLF, Email, UnsendableEmail
from domain.email_address import check_email
from domain.errors import ValidationFailed

SENDER = "Tenantry <no-reply@tenantry.invalid>"
BOUNDARY = re.compile(rb"={15}\d+==")  # random in each message
BODY = st.lists(
    st.text(max_size=20) | st.sampled_from(["From ", "\n", "\r\n", ".", "=", " " * 80, "é" * 90]),
    max_size=12,
).map("".join)
ADDRESS_TEXT = st.text(
    alphabet=st.sampled_from(list("ab.-+_=?!#$%&'*/^`{|}~@\"<>() \r\n\t,;:[]\\é")), max_size=30
)


@given(
    address=st.one_of(
        st.emails(),
        ADDRESS_TEXT,
        st.builds(lambda a, b: f"{a}@{b}.example", ADDRESS_TEXT, ADDRESS_TEXT),
    )
)
@example(address="=?utf-8?q?bob?=@example.com")
def test_what_the_rule_accepts_is_what_a_message_is_addressed_to(address: str) -> None:
    try:
        stored = check_email(address)
    except ValidationFailed:
        return
    assert check_email(stored) == stored  # normalized once: nothing left to change
    message = Email(
        to=stored,
        subject="s",
        text="t",
        html="<p>h</p>",
        message_id="<m@tenantry.invalid>",
        sent_at=datetime(2026, 1, 5, tzinfo=UTC),
    ).to_message("Tenantry <no-reply@tenantry.invalid>")
    assert [a.addr_spec for a in message["To"].addresses] == [stored]
    assert stored.isascii()


def test_an_email_to_an_address_stored_under_an_older_rule_cannot_be_built() -> None:
    email = Email(
        to="=?utf-8?q?bob?=@example.com",
        subject="s",
        text="t",
        html="h",
        message_id="<m@tenantry.invalid>",
        sent_at=datetime(2026, 1, 5, tzinfo=UTC),
    )
    with pytest.raises(UnsendableEmail, match="encoded word"):
        email.to_message("Tenantry <no-reply@tenantry.invalid>")


def test_a_header_the_email_library_refuses_makes_the_email_unsendable() -> None:
    email = Email(
        to="it@contoso.example",
        subject="Activate your tenant from Evil\r\nBcc: everyone@example.com",
        text="t",
        html="h",
        message_id="<m@tenantry.invalid>",
        sent_at=datetime(2026, 1, 5, tzinfo=UTC),
    )
    with pytest.raises(UnsendableEmail, match="cannot be built"):
        email.to_message("Tenantry <no-reply@tenantry.invalid>")


def reference_message(email: Email) -> EmailMessage:
    """The message as the email library builds it with its default policy."""
    message = EmailMessage()
    message["From"] = SENDER
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Message-ID"] = email.message_id
    message["Date"] = format_datetime(email.sent_at)
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    return message


def as_smtp_sends_it(message: EmailMessage) -> bytes:
    """What ``smtplib.SMTP.send_message`` writes for ``message``."""
    with io.BytesIO() as wire:
        BytesGenerator(wire).flatten(message, linesep=CRLF)
        return wire.getvalue()


@given(
    subject=st.text(st.characters(exclude_categories=["Cc", "Cs"]), max_size=90),
    text=BODY,
    html=BODY,
)
@example(subject="Activate your tenant from From Ltd", text="From Ltd has\nFrom here", html="é")
def test_an_email_is_the_bytes_the_email_library_writes_for_it(
    subject: str, text: str, html: str
) -> None:
    email = Email(
        to="it@contoso.example",
        subject=subject,
        text=text,
        html=html,
        message_id="<activation.c.v1@tenantry.invalid>",
        sent_at=datetime(2026, 1, 5, 10, 30, tzinfo=UTC),
    )
    try:
        reference = reference_message(email)
        outbox = bytes(reference)
    except ValueError:
        with pytest.raises(UnsendableEmail):
            email.to_bytes(SENDER)
        return

    assert BOUNDARY.sub(b"-", email.to_bytes(SENDER)) == BOUNDARY.sub(b"-", outbox)
    smtp = email.to_bytes(SENDER, CRLF, mangle_from=True)
    assert BOUNDARY.sub(b"-", smtp) == BOUNDARY.sub(b"-", as_smtp_sends_it(reference))
