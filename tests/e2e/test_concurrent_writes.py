"""Many writes at once on SQLite over HTTP: each waits its turn, none is refused."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.support.principals import ADMIN_TOKEN, bearer
from tests.support.server import Server
from tests.support.settings import environment_for

# Several server processes under load: one such test at a time (make test's workers).
pytestmark = [pytest.mark.xdist_group("servers"), pytest.mark.alone]

# Issue 10's figure: 400 creates at once, each waiting its turn for SQLite's writer.
CONCURRENT = 400


async def create_all(base: str, key: str) -> Counter[int]:
    limits = httpx.Limits(max_connections=CONCURRENT)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:

        async def create(i: int) -> int:
            answer = await client.post(
                "/v1/customers",
                json={
                    "organization_name": f"Customer {i}",
                    "notification_email": f"c{i}@example.com",
                    "sku": "ESSENTIALS_MSP_2025",
                },
                headers={"Authorization": f"Bearer {key}", "Idempotency-Key": f"create-{i}"},
            )
            return answer.status_code

        return Counter(await asyncio.gather(*(create(i) for i in range(CONCURRENT))))


@pytest.mark.slow
def test_400_concurrent_creates_on_sqlite_all_succeed(tmp_path: Path) -> None:
    # Given a real server on SQLite and an MSP
    env = environment_for(
        TENANTRY_DATABASE_URL=f"sqlite:///{tmp_path / 'tenantry.db'}",
        TENANTRY_OUTBOX_DIR=str(tmp_path / "outbox"),
    )
    server = Server(env, tmp_path)
    server.start()
    try:
        partner = httpx.post(
            f"{server.url}/v1/partners",
            json={"name": "Northwind", "kind": "msp"},
            headers=bearer(ADMIN_TOKEN),
        )
        assert partner.status_code == 201

        # When 400 customers are created at once
        statuses = asyncio.run(create_all(server.url, partner.json()["api_key"]))

        # Then every create waited its turn and succeeded
        errors = [line for line in server.log.read_text().splitlines() if "rror" in line]
        assert statuses == Counter({201: CONCURRENT}), errors[-20:]
    finally:
        server.stop()
