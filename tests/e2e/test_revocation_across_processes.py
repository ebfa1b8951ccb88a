"""A revoked key is refused by every process within a second (two `tenantry serve`
processes on one PostgreSQL database, each having verified the key before)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.support.principals import ADMIN_TOKEN, bearer
from tests.support.server import Server
from tests.support.settings import environment_for

REFUSED_WITHIN_S = 1.0

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("servers")]


def test_a_key_revoked_in_one_process_is_refused_by_the_other_within_a_second(
    postgres_url: str, tmp_path: Path
) -> None:
    env = environment_for(TENANTRY_DATABASE_URL=postgres_url)
    first, second = Server(env, tmp_path), Server(env, tmp_path)
    try:
        first.start()
        second.start()
        admin = bearer(ADMIN_TOKEN)
        with (
            httpx.Client(base_url=first.url, timeout=30) as one,
            httpx.Client(base_url=second.url, timeout=30) as two,
        ):
            # Given a partner's key, verified (and remembered) by both processes
            msp = one.post("/v1/partners", headers=admin, json={"name": "M", "kind": "msp"}).json()
            key = {"Authorization": f"Bearer {msp['api_key']}"}
            for client in (one, two):
                assert client.get("/v1/customers", headers=key).status_code == 200
            # When the admin revokes it through the first process
            key_id = msp["api_key"].split("_", 3)[2]
            path = f"/v1/partners/{msp['id']}/api-keys/{key_id}"
            assert one.delete(path, headers=admin).status_code == 204
            revoked_at = time.monotonic()
            # Then the second process refuses it within a second
            while two.get("/v1/customers", headers=key).status_code != 401:
                assert time.monotonic() - revoked_at < REFUSED_WITHIN_S, "still accepted"
                time.sleep(0.02)
            assert one.get("/v1/customers", headers=key).status_code == 401
    finally:
        first.stop()
        second.stop()
