"""kill -9 of ``tenantry serve`` in the middle of a stream of writes, then a restart on
the same PostgreSQL database: nothing acknowledged is lost, the views equal a rebuild,
and every due upgrade is done exactly once."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.faults.workload import (
    REQUEST_TIMEOUT_S,
    Workload,
    advance,
    check_acknowledged,
    check_views_equal_a_rebuild,
    server_env,
    set_up_principals,
    stored_events,
    upgrades_exactly_once,
)
from tests.support.server import Server, serving

UPGRADED = "Customer.UpgradedToProduction"
# The 15-day advance stops at the notices' instant and sends each customer's notice
# before the upgrades (it skipped them before): 90 s left no margin on a loaded machine.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.timeout(150),
    pytest.mark.xdist_group("servers"),
]


@pytest.fixture
def server(postgres_url: str, tmp_path: Path) -> Iterator[Server]:
    # no SMTP host: emails to the outbox
    with serving(server_env(postgres_url), tmp_path) as running:
        yield running


def test_kill_9_mid_stream_then_restart_loses_nothing_acknowledged(
    server: Server, postgres_url: str, tmp_path: Path
) -> None:
    started = time.monotonic()
    keys = set_up_principals(server.url)
    load = Workload(server.url, keys, clients=6)
    load.start()
    load.wait_for_acks(250, timeout=40)
    server.kill()  # mid-stream: every client has a request in flight
    load.stop()
    assert not load.hangs()

    server.start(timeout=30)
    events_of = check_acknowledged(server.url, load.acks, load.customers)
    onboarded = sum(any(e["type"] == "Onboarded" for e in ev) for ev in events_of.values())
    assert onboarded >= 20

    # Due work the dead process left (activation emails) gets done; the views are caught
    # up and equal to a rebuild from the events.
    advance(server.url, seconds=1)
    check_views_equal_a_rebuild(server, postgres_url, tmp_path)

    # Past every trial end, and kill -9 again while the upgrades are being recorded.
    mover = threading.Thread(target=lambda: _advance_until_killed(server.url), daemon=True)
    mover.start()
    give_up = time.monotonic() + 30
    while stored_events(postgres_url, UPGRADED) == 0:
        assert time.monotonic() < give_up, "no upgrade recorded"
        time.sleep(0.005)
    server.kill()
    mover.join(REQUEST_TIMEOUT_S * 3)
    upgraded_at_kill = stored_events(postgres_url, UPGRADED)

    # After a restart, every due upgrade is done, and exactly once.
    server.start(timeout=30)
    advance(server.url, seconds=1)
    events_of = check_acknowledged(server.url, load.acks, load.customers)
    upgrades_exactly_once(events_of)
    rows = check_views_equal_a_rebuild(server, postgres_url, tmp_path)
    # Every customer is in the views, those whose creation was never answered too.
    assert rows == stored_events(postgres_url, "Customer.Created") >= len(events_of)
    print(
        f"\n{len(load.acks)} writes acknowledged before the kill, {len(events_of)} customers, "
        f"{onboarded} onboarded, {upgraded_at_kill} upgraded at the second kill; "
        f"{time.monotonic() - started:.1f} s"
    )


def _advance_until_killed(base: str) -> None:
    with contextlib.suppress(httpx.TransportError, AssertionError):
        advance(base, days=15)
