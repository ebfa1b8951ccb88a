"""An endpoint without an alert address, failing for 3 days of the test clock, is
disabled and its partner's active admin user emailed once, over a real SMTP server
(aiosmtpd), on SQLite and PostgreSQL; its members, and the admins of the distributor
it belongs to, are not."""

from __future__ import annotations

from contextlib import closing
from datetime import timedelta
from uuid import UUID

import pytest

from application.clock import TestClock
from application.webhook_dispatch import SCHEDULE, SENDER
from domain.values import UserRole
from tests.support.backends import on_both_databases
from tests.support.outbox import token_of
from tests.support.principals import ADMIN
from tests.support.receiver import Receiver
from tests.support.smtp import SmtpServer
from tests.support.webhook_world import (
    TO_LOOPBACK,
    endpoint_for,
    sends_due,
    services,
    world,
)
from tests.support.world import World, open_services

__all__ = ["services", "world"]  # fixtures
pytestmark = on_both_databases

SUBJECT = "Your Tenantry webhook endpoint was disabled"
ADA = "ada@msp.example"  # the MSP's admin
GRACE = "grace@msp.example"  # the MSP's member
BOSS = "boss@distributor.example"  # the distributor's admin


@pytest.fixture
def service_settings(smtp: SmtpServer) -> dict[str, object]:
    return {**TO_LOOPBACK, "smtp_host": "127.0.0.1", "smtp_port": smtp.port}


def a_user_who_signed_in(world: World, partner: str, email: str, role: UserRole) -> None:
    partner_id = world.msp_id if partner == "msp" else world.distributor_id
    users = world.services.users
    invitation = users.invite(partner_id=partner_id, email=email, role=role, by=ADMIN)
    assert users.redeem(token_of(invitation.url)) is not None


def test_given_no_alert_email_when_failing_for_3_days_then_the_partners_admin_is_emailed_once(
    world: World, receiver: Receiver, smtp: SmtpServer, backend_url: str, clock: TestClock
) -> None:
    a_user_who_signed_in(world, "msp", ADA, UserRole.ADMIN)
    a_user_who_signed_in(world, "msp", GRACE, UserRole.MEMBER)
    a_user_who_signed_in(world, "distributor", BOSS, UserRole.ADMIN)
    endpoint_id, _ = endpoint_for(world, receiver.url, event_types=["customer.created"])
    receiver.status = 500
    world.add()
    assert sends_due(world.services) == 1
    for delay in SCHEDULE[:3]:
        world.clock.advance(delay * 1.11)
        assert sends_due(world.services) == 1
    world.clock.advance(timedelta(days=3))
    assert sends_due(world.services) == 1

    endpoint = world.services.webhooks.get(
        world.services.webhooks.list(by=world.msp)[0].id, by=world.msp
    )
    assert (str(endpoint.id), endpoint.disabled) == (endpoint_id, True)
    with closing(
        open_services(backend_url, clock, smtp_host="127.0.0.1", smtp_port=smtp.port)
    ) as other:
        # another process that finds it failing too does not disable it again: only the
        # call that recorded the disabling emails
        assert other.webhooks.disable_failing(UUID(endpoint_id), "again", SENDER) is None
    world.add(name="Fabrikam")  # nothing more goes to it, and nobody is told again
    world.clock.advance(timedelta(days=1))
    sends_due(world.services)
    alerts = [(to, m) for to, m in smtp.inbox.delivered() if m["Subject"] == SUBJECT]
    assert [to for to, _ in alerts] == [[ADA]]
    [(_, message)] = alerts
    assert message["To"] == ADA
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = str(body.get_content())  # type: ignore[attr-defined]
    assert f"{receiver.url} ({endpoint_id})" in text
    assert "failing since" in text
