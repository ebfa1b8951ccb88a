"""Reads on a replica: with ``TENANTRY_READ_DATABASE_URL`` naming a streaming replica,
the lists are read there while writes, the follower and due work use the primary, and
a caller still reads its own writes (the replica is waited on, bounded, then the
primary answers). Against a throwaway primary and replica of our own."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
import pytest

from adapters.sql.postgres import READER_NAME
from api.bootstrap import Services
from api.settings import Settings
from tests.e2e.conftest import World
from tests.support.events import ESSENTIALS
from tests.support.live import ADMIN_TOKEN as LIVE_ADMIN_TOKEN
from tests.support.live import an_msp_adds_a_customer, live_server
from tests.support.replication import ReplicatedPostgres, available, primary_and_replica
from tests.support.settings import settings_for
from tests.support.world import CUSTOMER_NAME

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.xdist_group("servers"),
]
BOUND_S = 2.0  # how long a list may wait for the replica before the primary answers


@pytest.fixture(scope="module")
def pair() -> Iterator[ReplicatedPostgres]:
    if not available():
        pytest.fail("these tests start PostgreSQL 15 as the postgres user: run them as root")
    with primary_and_replica() as started:
        yield started


@pytest.fixture
def urls(pair: ReplicatedPostgres) -> tuple[str, str]:
    return pair.new_database()


@pytest.fixture
def settings(urls: tuple[str, str], tmp_path: Path) -> Settings:
    primary, replica = urls
    outbox = tmp_path / "outbox"
    return settings_for(primary, read_database_url=replica, outbox_dir=outbox, test_clock=True)


def names(world: World, path: str, **headers: str) -> list[str]:
    answer = world.call("msp", "GET", path, headers=headers)
    assert answer.status_code == 200, answer.text
    return [c["organization_name"] for c in answer.json()["items"]]


def metric(world: World, name: str) -> float:
    for line in world.client.get("/metrics").text.splitlines():
        if line.startswith(f"{name} "):
            return float(line.split()[1])
    raise AssertionError(f"no {name} in /metrics")


def readers_on(url: str) -> int:
    """The connections of a replica's reader open on the server at ``url``."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = %s", [READER_NAME]
        ).fetchone()
    return int(row[0]) if row else 0


@contextmanager
def paused(replica: str) -> Iterator[None]:
    """The replica at ``replica`` applies nothing it receives until the block ends."""
    with psycopg.connect(replica, autocommit=True) as conn:
        conn.execute("SELECT pg_wal_replay_pause()")
        try:
            yield
        finally:
            conn.execute("SELECT pg_wal_replay_resume()")


def caught_up(primary: str, replica: str) -> None:
    """Returns once the replica has applied everything the primary has written so far."""
    with psycopg.connect(primary, autocommit=True) as conn:
        row = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()
    assert row is not None
    deadline = time.monotonic() + 30
    with psycopg.connect(replica, autocommit=True) as conn:
        while True:
            applied = conn.execute(
                "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [row[0]]
            ).fetchone()
            if applied and applied[0]:
                return
            assert time.monotonic() < deadline, "the replica did not catch up in 30 s"
            time.sleep(0.05)


@pytest.fixture
def replica_paused(world: World, urls: tuple[str, str]) -> Iterator[None]:
    """The replica, once it holds the views' tables and all written so far, stops
    applying what it receives (until the test ends)."""
    caught_up(*urls)
    with paused(urls[1]):
        yield


@pytest.fixture
def replica_paused_before_the_schema(urls: tuple[str, str]) -> Iterator[None]:
    """The replica stops applying before the service has made the views' tables."""
    with paused(urls[1]):
        yield


@pytest.fixture
def replica_down(pair: ReplicatedPostgres) -> Iterator[None]:
    """The replica is stopped (and started again when the test ends)."""
    pair.stop_replica()
    try:
        yield
    finally:
        pair.start_replica()


def test_given_a_replica_when_a_customer_is_added_and_onboarded_then_the_lists_read_on_the_replica_show_it(  # noqa: E501
    world: World, services: Services, urls: tuple[str, str]
) -> None:
    # Given the lists are read on the replica
    replica = services.replica
    assert replica is not None
    assert services.lists is replica
    before = metric(world, "tenantry_replica_reads_total")
    # When the MSP adds a customer and lists the pending customers at once
    customer = world.customer()
    # Then the list, read on the replica, shows the MSP's own write
    assert CUSTOMER_NAME in names(world, "/v1/customers/pending")
    # When the customer is onboarded and the MSP lists its customers
    world.onboard(customer["id"])
    # Then the Customers list, read on the replica, shows it too (and no longer pending)
    assert CUSTOMER_NAME in names(world, "/v1/customers")
    assert CUSTOMER_NAME not in names(world, "/v1/customers/pending")
    # And the replica answered every list, through connections of its own there (the
    # primary has none of them: writes, the follower and due work are its own)
    assert metric(world, "tenantry_replica_reads_total") - before == 3
    assert metric(world, "tenantry_replica_fallbacks_total") == 0
    assert metric(world, "tenantry_replica_lag_events") >= 0
    assert readers_on(urls[1]) >= 1
    assert readers_on(urls[0]) == 0


def test_given_a_replica_that_has_stopped_applying_when_the_caller_lists_its_own_write_then_the_primary_answers_within_the_bound(  # noqa: E501
    world: World, services: Services, replica_paused: None
) -> None:
    # Given a replica that has stopped applying the primary's changes
    replica = services.replica
    assert replica is not None
    # When the MSP adds a customer and lists the pending customers
    body = {"organization_name": "Fabrikam", "notification_email": "it@example.com"}
    added = world.call("msp", "POST", "/v1/customers", json={**body, "sku": ESSENTIALS})
    assert added.status_code == 201, added.text
    started = time.monotonic()
    listed = names(world, "/v1/customers/pending")
    waited = time.monotonic() - started
    # Then the primary answers once the bound has passed, with the MSP's own write
    assert "Fabrikam" in listed
    assert BOUND_S * 0.9 <= waited < BOUND_S + 3.0
    assert metric(world, "tenantry_replica_fallbacks_total") == 1
    # And the replica's lag shows in /metrics
    assert metric(world, "tenantry_replica_lag_events") >= 1


def test_given_a_replica_that_has_not_received_the_views_tables_when_partners_list_then_the_primary_answers_at_once(  # noqa: E501
    replica_paused_before_the_schema: None, world: World, services: Services
) -> None:
    # Given a new replica that stopped applying before the views' tables were made
    # When the MSP adds a customer and lists the pending customers (its own write),
    # and another MSP, who has written nothing, lists its own
    body = {"organization_name": "Contoso", "notification_email": "it@example.com"}
    added = world.call("msp", "POST", "/v1/customers", json={**body, "sku": ESSENTIALS})
    assert added.status_code == 201, added.text
    started = time.monotonic()
    own = names(world, "/v1/customers/pending")
    others = world.call("other_msp", "GET", "/v1/customers/pending")
    # Then the primary answers both at once (the replica cannot answer them yet)
    assert time.monotonic() - started < BOUND_S
    assert "Contoso" in own
    assert others.status_code == 200, others.text
    assert "Contoso" not in [c["organization_name"] for c in others.json()["items"]]
    assert metric(world, "tenantry_replica_fallbacks_total") == 2


def test_given_a_replica_that_is_down_when_the_caller_lists_then_the_primary_answers(
    world: World, services: Services, replica_down: None
) -> None:
    # Given the replica is down
    # When the MSP adds a customer and lists the pending customers, twice
    body = {"organization_name": "Northwind", "notification_email": "it@example.com"}
    added = world.call("msp", "POST", "/v1/customers", json={**body, "sku": ESSENTIALS})
    assert added.status_code == 201, added.text
    first = names(world, "/v1/customers/pending")
    started = time.monotonic()
    second = names(world, "/v1/customers/pending")
    # Then the primary answers both, with the MSP's own write
    assert "Northwind" in first
    assert "Northwind" in second
    assert metric(world, "tenantry_replica_fallbacks_total") == 2
    # And the replica, set aside, is not waited on again
    assert time.monotonic() - started < BOUND_S


def test_given_a_real_server_on_a_primary_and_a_replica_when_an_msp_adds_and_lists_then_the_replica_answers_with_the_write(  # noqa: E501
    urls: tuple[str, str], tmp_path: Path
) -> None:
    primary, replica = urls
    # Given a real `tenantry serve` with TENANTRY_READ_DATABASE_URL set to the replica
    env = {"TENANTRY_DATABASE_URL": primary, "TENANTRY_READ_DATABASE_URL": replica}
    with live_server(tmp_path, **env) as server:
        # When an MSP adds a customer and lists the pending customers with the position
        added, msp = an_msp_adds_a_customer(server.url, LIVE_ADMIN_TOKEN)
        assert added.status_code == 201, added.text
        sent = {"Tenantry-Position": added.headers["Tenantry-Position"]}
        listed = httpx.get(f"{server.url}/v1/customers/pending", headers={**msp, **sent})
        # Then the list shows the customer
        assert listed.status_code == 200, listed.text
        assert [c["organization_name"] for c in listed.json()["items"]] == [CUSTOMER_NAME]
        # And the replica answered it, through the server's reader connections there
        metrics = httpx.get(f"{server.url}/metrics").text.splitlines()
        assert "tenantry_replica_reads_total 1.0" in metrics
        assert "tenantry_replica_fallbacks_total 0.0" in metrics
        assert readers_on(replica) >= 1
        assert readers_on(primary) == 0
    # And the server said where it reads its lists when it started
    assert "lists read on postgresql://" in "".join(p.read_text() for p in tmp_path.glob("*.log"))
