"""The test clock and the mailer over HTTP: the real server process, its persisted test
clock and a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_story_over_http import PRODUCTION, Client, advance
from tests.faults.test_smtp_outage import metric
from tests.support.principals import ADMIN_TOKEN
from tests.support.server import Server, clock_and_mail_server
from tests.support.smtp import SmtpServer


@pytest.fixture
def server(tmp_path: Path, smtp: SmtpServer) -> Iterator[Server]:
    with clock_and_mail_server(tmp_path, smtp.port) as running:
        yield running


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class Portal:
    """An admin, a production MSP and an importer on the running server."""

    def __init__(self, server: Server, smtp: SmtpServer) -> None:
        self.server = server
        self.smtp = smtp
        self.admin = Client(server.url, ADMIN_TOKEN)
        msp = self.admin.call(
            "POST",
            "/v1/partners",
            201,
            json={"name": "Northwind MSP", "kind": "msp", "status": "production"},
        )
        self.msp = Client(server.url, msp["api_key"])
        importer_key = self.admin.call(
            "POST", "/v1/service-keys", 201, json={"role": "importer", "name": "importer"}
        )["api_key"]
        self.importer = Client(server.url, importer_key)
        self.anonymous = Client(server.url, None)

    def now(self) -> datetime:
        return instant(self.admin.call("GET", "/v1/test-clock", 200)["now"])

    def add(self, email: str, expect: int = 201) -> Any:
        body = {"organization_name": "Contoso", "notification_email": email, "sku": PRODUCTION}
        return self.msp.call("POST", "/v1/customers", expect, json=body)

    def onboard(self, customer: dict[str, Any]) -> None:
        [message] = self.smtp.inbox.to(customer["notification_email"])
        body = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        match = re.search(r"https?://\S+/activate/\S+", body)
        assert match, body
        self.anonymous.call("POST", match.group(0).split(str(self.server.port), 1)[1], 200)
        self.importer.call("POST", f"/v1/customers/{customer['id']}/import/completion", 200)

    def history(self, customer_id: str) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = self.admin.call(
            "GET", f"/v1/customers/{customer_id}/history", 200
        )["events"]
        return events


def test_a_long_advance_sends_the_renewed_notice_at_its_instant_before_the_trial_end(
    server: Server, smtp: SmtpServer
) -> None:
    portal = Portal(server, smtp)
    customer = portal.add("it@contoso.example")
    advance(portal.admin, seconds=1)  # the activation email
    portal.onboard(customer)
    cid = customer["id"]
    first_end = instant(portal.msp.call("GET", f"/v1/customers/{cid}", 200)["trial_ends_at"])
    advance(portal.admin, days=13)  # the first notice, on day 11
    portal.msp.call("POST", f"/v1/customers/{cid}/extend-trial", 200)
    advance(portal.admin, days=1)  # the old trial end passes; the trial goes on
    start = portal.now()
    renewed_notice_at, trial_end = start + timedelta(days=4), start + timedelta(days=7)
    assert first_end + timedelta(days=7) == trial_end

    advance(portal.admin, days=10)

    assert portal.now() == start + timedelta(days=10)
    tail = [
        (e["type"], instant(e["recorded_at"]), instant(e["effective_at"]))
        for e in portal.history(cid)[-2:]
    ]
    assert tail == [
        ("UpgradeNoticeSent", renewed_notice_at, renewed_notice_at),
        ("UpgradedToProduction", trial_end, trial_end),
    ]
    notices = [
        (recipients, message)
        for recipients, message in smtp.inbox.delivered()
        if "trial ends" in str(message["Subject"])
    ]
    assert len(notices) == 2  # the first trial end's, and the renewed one
    recipients, renewed = notices[-1]
    assert recipients == ["it@contoso.example"]
    assert parsedate_to_datetime(str(renewed["Date"])) == renewed_notice_at
    assert f"{trial_end:%d %B %Y}" in str(renewed["Subject"])


ODD_BUT_VALID = {
    "O'Brien+tenantry@Example.COM": "O'Brien+tenantry@example.com",
    "  it.ops@contoso.example\t": "it.ops@contoso.example",
    "{billing}!#$%&*/=^_`|~-@contoso.example": "{billing}!#$%&*/=^_`|~-@contoso.example",
    "bob@münchen.example": "bob@xn--mnchen-3ya.example",
}
REFUSED = [
    "=?utf-8?q?bob?=@example.com",  # read back as bob@example.com
    "=?utf-8?b?eEBldmlsLmNvbQ==?=@example.com",  # read back as "x@evil.com"@example.com
    "=?utf-8?b??=@example.com",  # the message could not be built
    "=?utf-8?b?YQ0KQmNjOiB4QHk=?=@example.com",  # a CR LF and a Bcc header, encoded
    "Bob <bob@example.com>",
    '"bob smith"@example.com',
    "jörg@example.com",
    "bob@[127.0.0.1]",
]


def test_what_is_stored_is_what_mail_is_sent_to_and_odd_addresses_are_refused(
    server: Server, smtp: SmtpServer
) -> None:
    portal = Portal(server, smtp)
    for address in REFUSED:
        problem = portal.add(address, expect=422)
        assert "notification_email" in str(problem), problem
    stored = [portal.add(address)["notification_email"] for address in ODD_BUT_VALID]
    assert stored == list(ODD_BUT_VALID.values())

    advance(portal.admin, seconds=1)

    delivered = smtp.inbox.delivered()
    assert sorted(recipients[0] for recipients, _ in delivered) == sorted(stored)
    for recipients, message in delivered:
        assert recipients == [str(message["To"])]
    assert metric(server.url, "tenantry_emails_failed_total") == 0
