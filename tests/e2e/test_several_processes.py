"""Several API processes and a worker on one PostgreSQL database stay correct."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.support.principals import ADMIN_TOKEN, bearer
from tests.support.server import Server
from tests.support.settings import environment_for
from tests.support.smtp import SmtpServer

TENANTRY = Path(sys.executable).parent / "tenantry"
CUSTOMERS = 60

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.xdist_group("servers"),
]


def test_two_api_processes_and_a_worker_do_each_deadline_once(
    postgres_url: str, smtp: SmtpServer, tmp_path: Path
) -> None:
    env = environment_for(
        TENANTRY_DATABASE_URL=postgres_url,
        TENANTRY_SMTP_HOST="127.0.0.1",
        TENANTRY_SMTP_PORT=str(smtp.port),
        TENANTRY_TEST_CLOCK="1",
    )
    first, second = Server(env, tmp_path), Server(env, tmp_path)
    worker = None
    try:
        first.start()
        second.start()
        worker = subprocess.Popen(
            [str(TENANTRY), "worker"],
            env={**os.environ, **env},
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        admin = bearer(ADMIN_TOKEN)
        with (
            httpx.Client(base_url=first.url, timeout=60) as one,
            httpx.Client(base_url=second.url, timeout=60) as two,
        ):
            msp = one.post(
                "/v1/partners",
                headers=admin,
                json={"name": "MSP", "kind": "msp", "status": "production"},
            ).json()
            importer = two.post(
                "/v1/service-keys", headers=admin, json={"role": "importer", "name": "i"}
            ).json()["api_key"]
            as_msp = {"Authorization": f"Bearer {msp['api_key']}"}
            as_importer = {"Authorization": f"Bearer {importer}"}

            def add_and_onboard(i: int) -> str:
                client = one if i % 2 else two
                created = client.post(
                    "/v1/customers",
                    headers=as_msp,
                    json={
                        "organization_name": f"Customer {i}",
                        "notification_email": f"c{i}@example.com",
                        "sku": "ESSENTIALS_MSP_2025",
                    },
                )
                assert created.status_code == 201, created.text
                cid = str(created.json()["id"])
                link = client.get(f"/v1/customers/{cid}/activation-link", headers=as_msp).json()
                path = link["url"].split(str(first.port), 1)[-1]
                assert client.post(path).status_code == 200
                done = client.post(f"/v1/customers/{cid}/import/completion", headers=as_importer)
                assert done.status_code == 200, done.text
                return cid

            with ThreadPoolExecutor(8) as pool:
                ids = list(pool.map(add_and_onboard, range(CUSTOMERS)))

            # 15 days on: every trial has ended; both API processes settle at once
            with ThreadPoolExecutor(2) as pool:
                answers = list(
                    pool.map(
                        lambda c: c.post(
                            "/v1/test-clock/advance", headers=admin, json={"days": 15}
                        ),
                        (one, two),
                    )
                )
            assert [a.status_code for a in answers] == [200, 200]

            upgrades: Counter[str] = Counter()
            for cid in ids:
                history = one.get(f"/v1/customers/{cid}/history", headers=as_msp).json()
                types = [e["type"] for e in history["events"]]
                upgrades[cid] = types.count("UpgradedToProduction")
                # the clock stopped at each notice on the way: sent before the trial end
                assert types.count("UpgradeNoticeSent") == 1
                assert types.index("UpgradeNoticeSent") < types.index("UpgradedToProduction")
            assert set(upgrades.values()) == {1}
            ids_sent = smtp.inbox.message_ids()
            assert len(ids_sent) == len(set(ids_sent))  # no email twice
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=20)
        first.stop()
        second.stop()
