"""The SMTP transport against a real server (aiosmtpd): the envelope and the bytes."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.smtp import SmtpTransport
from application.mail import Email
from tests.support.smtp import SmtpServer

EMAIL = Email(
    to="it@contoso.example",
    subject="Activate your tenant from From Ltd",
    text="From Ltd has created a tenant for you.\n",
    html="<p>From Ltd has created a tenant for you.</p>",
    message_id="<activation.c.v1@tenantry.invalid>",
    sent_at=datetime(2026, 1, 5, 10, 30, tzinfo=UTC),
)


def test_a_message_reaches_the_stored_recipient_in_the_bytes_send_message_wrote(
    smtp: SmtpServer,
) -> None:
    SmtpTransport("127.0.0.1", smtp.port, "Tenantry <no-reply@tenantry.invalid>").send(EMAIL)

    [(recipients, message)] = smtp.inbox.delivered()
    assert recipients == ["it@contoso.example"]
    assert message["From"] == "Tenantry <no-reply@tenantry.invalid>"
    assert message["Message-ID"] == EMAIL.message_id
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    content = body.get_content()  # type: ignore[attr-defined]
    assert content == ">From Ltd has created a tenant for you.\r\n"  # as send_message wrote it


def test_a_sender_address_beyond_ascii_goes_by_smtputf8(smtp: SmtpServer) -> None:
    SmtpTransport("127.0.0.1", smtp.port, "Tenantry <no-réply@tenantry.invalid>").send(EMAIL)

    [(recipients, message)] = smtp.inbox.delivered()
    assert recipients == ["it@contoso.example"]
    assert message["Message-ID"] == EMAIL.message_id
