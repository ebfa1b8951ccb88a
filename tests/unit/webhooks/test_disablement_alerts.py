"""Who is told that an endpoint failing for 3 days was disabled: its alert address;
without one, the active admin users of the endpoint's own partner; with neither, a
warning names the endpoint and nothing is sent."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from uuid import UUID

import pytest

from application.errors import NotFound
from application.mail import Email, MailError
from application.webhook_alerts import (
    DisablementAlerts,
    disabled_endpoint_emails,
    disablement_recipients,
)
from domain.partner import Partner
from domain.user import User
from domain.values import UserRole
from domain.webhook_endpoint import WebhookEndpoint
from tests.support.events import T0, distributor_partner, msp_partner
from tests.support.principals import ADMIN, DISTRIBUTOR, DISTRIBUTOR_ID, MSP_ID, OTHER_MSP_ID
from tests.unit.webhooks.test_webhook_endpoint import an_endpoint

REASON = "failing since 2025-01-01T00:00:00+00:00 without a success"
LATER = T0 + timedelta(hours=1)


def a_user(
    email: str,
    *,
    role: UserRole = UserRole.ADMIN,
    partner: Partner | None = None,
    joined: bool = True,
    removed: bool = False,
) -> User:
    """A user of ``partner`` (the MSP, under the distributor, by default), invited by the
    admin; joined (signed in) unless ``joined`` is False; removed if ``removed``."""
    user = User.invite(
        existing=None,
        partner=partner or msp_partner(),
        email=email,
        name="",
        role=role,
        at=T0,
        by=ADMIN,
        inviter=None,
    )
    if joined:
        user.join(at=LATER)
    if removed:
        user.remove(at=LATER, by=ADMIN, manager=None)
    return user


def disabled(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    endpoint.disable(reason=REASON, at=LATER, by=ADMIN)
    return endpoint


def test_given_an_alert_email_when_disabled_then_it_alone_is_told() -> None:
    endpoint = an_endpoint(alert_email="ops@msp.example")
    assert disablement_recipients(endpoint, [a_user("ada@msp.example")]) == ["ops@msp.example"]


def test_given_no_alert_email_when_disabled_then_the_partners_active_admins_are_told() -> None:
    users = [
        a_user("grace@msp.example"),
        a_user("ada@msp.example"),
        a_user("gone@msp.example", removed=True),  # an admin who was removed
        a_user("member@msp.example", role=UserRole.MEMBER),
        a_user("waiting@msp.example", joined=False),  # invited, never signed in
        a_user("other@other.example", partner=msp_partner(partner_id=OTHER_MSP_ID)),
    ]
    assert disablement_recipients(an_endpoint(), users) == [
        "ada@msp.example",
        "grace@msp.example",
    ]


def test_given_a_distributors_msp_endpoint_then_the_msps_admins_are_told_not_the_distributors() -> (
    None
):
    distributor_admin = a_user("boss@distri.example", partner=distributor_partner())
    msp_admin = a_user("ada@msp.example")
    endpoint = an_endpoint(partner_id=MSP_ID)
    assert disablement_recipients(endpoint, [distributor_admin, msp_admin]) == ["ada@msp.example"]
    own = an_endpoint(partner_id=DISTRIBUTOR_ID, by=DISTRIBUTOR)
    assert disablement_recipients(own, [distributor_admin, msp_admin]) == ["boss@distri.example"]


def test_given_no_alert_email_and_no_active_admin_then_nobody_is_told() -> None:
    users = [
        a_user("gone@msp.example", removed=True),
        a_user("m@msp.example", role=UserRole.MEMBER),
    ]
    assert disablement_recipients(an_endpoint(), users) == []


def test_each_recipient_gets_todays_email_under_an_id_of_its_own_for_this_disabling() -> None:
    endpoint = disabled(an_endpoint())
    emails = disabled_endpoint_emails(endpoint, REASON, LATER, ["a@msp.example", "b@msp.example"])
    assert [e.to for e in emails] == ["a@msp.example", "b@msp.example"]
    assert {e.subject for e in emails} == {"Your Tenantry webhook endpoint was disabled"}
    assert all(
        f"{endpoint.state.url} ({endpoint.id})" in e.text and REASON in e.text for e in emails
    )
    ids = [e.message_id for e in emails]
    assert len(set(ids)) == 2
    assert all(f".{endpoint.id.hex}.{endpoint.version}." in i for i in ids)
    endpoint.enable(at=LATER, by=ADMIN)
    again = disabled_endpoint_emails(disabled(endpoint), REASON, LATER, ["a@msp.example"])
    assert again[0].message_id not in ids  # a later disabling is another message


class Directory:
    def __init__(self, users: Sequence[User]) -> None:
        self.users = {u.id: u for u in users}
        self.asked: list[UUID] = []

    def of_partner(self, partner_id: UUID) -> list[UUID]:
        self.asked.append(partner_id)
        return [*self.users, UUID(int=1)]  # a user the store no longer has is skipped

    def load(self, kind: type[User], user_id: UUID) -> User:
        if user_id not in self.users:
            raise NotFound(f"no user {user_id}")
        return self.users[user_id]


class Mail:
    def __init__(self, refuse: str = "") -> None:
        self.sent: list[Email] = []
        self.refuse = refuse

    def send(self, email: Email) -> None:
        if email.to == self.refuse:
            raise MailError("refused")
        self.sent.append(email)


def alerts(users: Sequence[User], mail: Mail) -> tuple[DisablementAlerts, Directory]:
    directory = Directory(users)
    return DisablementAlerts(directory, directory, mail), directory  # type: ignore[arg-type]


def test_given_an_alert_email_when_sent_then_the_users_are_not_looked_up() -> None:
    mail = Mail()
    sender, directory = alerts([a_user("ada@msp.example")], mail)
    sender.send(disabled(an_endpoint(alert_email="ops@msp.example")), REASON, LATER)
    assert [e.to for e in mail.sent] == ["ops@msp.example"]
    assert directory.asked == []


def test_given_one_admins_email_refused_then_the_others_still_go_and_nothing_raises(
    caplog: pytest.LogCaptureFixture,
) -> None:
    mail = Mail(refuse="ada@msp.example")
    sender, directory = alerts([a_user("ada@msp.example"), a_user("grace@msp.example")], mail)
    sender.send(disabled(an_endpoint()), REASON, LATER)
    assert [e.to for e in mail.sent] == ["grace@msp.example"]
    assert directory.asked == [MSP_ID]
    assert "was not sent" in caplog.text


def test_given_nobody_to_tell_then_a_warning_names_the_endpoint_and_nothing_is_sent(
    caplog: pytest.LogCaptureFixture,
) -> None:
    mail = Mail()
    sender, _ = alerts([a_user("m@msp.example", role=UserRole.MEMBER)], mail)
    endpoint = disabled(an_endpoint())
    with caplog.at_level(logging.WARNING):
        sender.send(endpoint, REASON, LATER)
    assert mail.sent == []
    [record] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert str(endpoint.id) in record.getMessage()
    assert "nobody was emailed" in record.getMessage()
