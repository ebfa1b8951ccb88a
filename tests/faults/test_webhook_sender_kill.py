"""kill -9 of the sending process mid-delivery loses nothing: after a restart the
delivery is sent again, once its lease has run out, with the same ``webhook-id``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.workload import ADMIN_TOKEN, call, server_env
from tests.support.receiver import Receiver
from tests.support.server import Server, serving

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.timeout(150),
    pytest.mark.xdist_group("servers"),
]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture
def server(postgres_url: str, tmp_path: Path) -> Iterator[Server]:
    env = server_env(postgres_url, TENANTRY_WEBHOOKS_ALLOW_INSECURE="1")
    with serving(env, tmp_path) as running:
        yield running


def test_kill_9_mid_delivery_then_restart_delivers_it_again_with_the_same_id(
    server: Server, receiver: Receiver
) -> None:
    msp = call(
        server.url,
        "POST",
        "/v1/partners",
        201,
        ADMIN_TOKEN,
        json={"name": "Northwind", "kind": "msp", "status": "production"},
    )
    key = msp["api_key"]
    endpoint = call(
        server.url,
        "POST",
        "/v1/webhook-endpoints",
        201,
        key,
        json={"url": receiver.url, "event_types": ["customer.created"]},
    )
    receiver.secrets = [endpoint["secret"]]
    receiver.hang_s = 60  # the sender waits for its answer when it is killed
    call(
        server.url,
        "POST",
        "/v1/customers",
        201,
        key,
        json={
            "organization_name": "Contoso",
            "notification_email": "it@contoso.example",
            "sku": "ESSENTIALS_MSP_2025",
        },
    )
    [first] = receiver.wait_for(1)
    server.kill()
    receiver.hang_s = 0

    server.start(timeout=30)
    started = time.monotonic()
    got = receiver.wait_for(2, timeout=60)
    assert len(got) == 2, "the delivery was lost"
    assert got[1].id == first.id
    assert got[1].body == first.body
    assert time.monotonic() - started < 45
    path = f"/v1/webhook-endpoints/{endpoint['id']}/deliveries"
    [delivery] = call(server.url, "GET", path, 200, key)["items"]
    assert delivery["status"] == "delivered"
    assert delivery["id"] == first.id
