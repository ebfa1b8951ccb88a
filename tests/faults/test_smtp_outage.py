"""The SMTP server is down while customers are added, then comes back: every activation
email is delivered once it is up (the process manager backs off 1 s, 2 s, 4 s... per
deadline), and ``ActivationSent`` is recorded once per customer."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.faults.workload import (
    SKU,
    advance,
    call,
    histories,
    server_env,
    set_up_principals,
)
from tests.support.server import Server, serving
from tests.support.smtp import SmtpServer

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.timeout(90),
    pytest.mark.xdist_group("servers"),
]

CUSTOMERS = 8
OUTAGE_S = 4.0
DELIVERED_WITHIN_S = 30.0  # after the outage: the back-off is at most 8 s by then


@pytest.fixture
def server(postgres_url: str, tmp_path: Path, smtp: SmtpServer) -> Iterator[Server]:
    env = server_env(
        postgres_url, TENANTRY_SMTP_HOST="127.0.0.1", TENANTRY_SMTP_PORT=str(smtp.port)
    )
    with serving(env, tmp_path) as running:
        yield running


def test_activation_emails_go_out_once_the_mail_server_is_back(
    server: Server, smtp: SmtpServer
) -> None:
    started = time.monotonic()
    keys = set_up_principals(server.url, partners=1)
    smtp.stop()
    addresses = [f"it@customer{n}.example" for n in range(CUSTOMERS)]
    customers = {
        call(
            server.url,
            "POST",
            "/v1/customers",
            201,
            keys.partners[0],
            json={"organization_name": f"C{n}", "notification_email": address, "sku": SKU},
        )["id"]
        for n, address in enumerate(addresses)
    }
    time.sleep(OUTAGE_S)  # the sweeper tries, fails and backs off
    assert smtp.inbox.message_ids() == []
    failed = metric(server.url, "tenantry_emails_failed_total")
    assert failed >= CUSTOMERS

    smtp.start()  # the same port
    give_up = time.monotonic() + DELIVERED_WITHIN_S
    while len(smtp.inbox.message_ids()) < CUSTOMERS:
        assert time.monotonic() < give_up, f"{len(smtp.inbox.message_ids())} delivered"
        time.sleep(0.1)
    delivered_in = time.monotonic() - give_up + DELIVERED_WITHIN_S

    advance(server.url, seconds=1)  # settles: nothing is due any more
    for address in addresses:
        [message] = smtp.inbox.to(address)
        assert "/activate/" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    for cid, events in histories(server.url, customers).items():
        assert Counter(e["type"] for e in events)["ActivationSent"] == 1, (cid, events)
    print(
        f"\n{failed:.0f} failed attempts during a {OUTAGE_S} s outage; {CUSTOMERS} emails "
        f"delivered {delivered_in:.1f} s after it; {time.monotonic() - started:.1f} s"
    )


def metric(base: str, name: str) -> float:
    response = httpx.get(f"{base}/metrics", timeout=10)
    assert response.status_code == 200
    text = response.text
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"no metric {name}: {text[:2000]}")
