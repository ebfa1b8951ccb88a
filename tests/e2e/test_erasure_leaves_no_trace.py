"""Black box: a real server adds a customer with an address used nowhere else, logs
import messages that quote it, and erases it; then the whole database (a ``pg_dump``,
or the SQLite file and its write-ahead log) holds the address nowhere, while the
customer, its history and the audit stay."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest

from tests.support.backends import on_both_databases
from tests.support.events import ESSENTIALS
from tests.support.principals import ADMIN_TOKEN, bearer
from tests.support.server import Server, serving
from tests.support.settings import environment_for

pytestmark = [pytest.mark.slow, on_both_databases]
ADMIN = bearer(ADMIN_TOKEN)


def stored_bytes(database_url: str) -> bytes:
    """Everything the database holds: a dump of the whole PostgreSQL database, or the
    SQLite file's bytes and its write-ahead log's."""
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        parts = [path, path.with_name(path.name + "-wal")]
        return b"".join(p.read_bytes() for p in parts if p.exists())
    dump = subprocess.run(
        ["pg_dump", "--no-owner", "--no-privileges", "--dbname", database_url],
        capture_output=True,
        check=True,
        timeout=120,
    )
    return dump.stdout


def call(server: Server, method: str, path: str, key: str, **kwargs: Any) -> httpx.Response:
    return httpx.request(method, f"{server.url}{path}", headers=bearer(key), timeout=60, **kwargs)


def settled(server: Server, customer_id: str, key: str) -> None:
    """The views hold the customer (its pending row), as the follower wrote it."""
    for _ in range(100):
        held = call(server, "GET", f"/v1/customers/{customer_id}/personal-data", key).json()
        if any(h["where"] == "view" for h in held["holdings"]):
            return
        time.sleep(0.1)
    raise AssertionError(f"the views never showed {customer_id}")


def test_after_the_erasure_the_address_is_stored_nowhere(backend_url: str, tmp_path: Path) -> None:
    address = f"gone-{uuid4().hex}@erasure.example"
    env = environment_for(
        TENANTRY_DATABASE_URL=backend_url,
        TENANTRY_MASTER_KEY="m" * 32,
        TENANTRY_OUTBOX_DIR=str(tmp_path / "outbox"),
        TENANTRY_SNAPSHOT_INTERVAL="3",
    )
    with serving(env, tmp_path, timeout=120) as server:
        partner = call(
            server, "POST", "/v1/partners", ADMIN_TOKEN, json={"name": "N", "kind": "msp"}
        )
        msp = partner.json()["api_key"]
        importer = call(
            server, "POST", "/v1/service-keys", ADMIN_TOKEN, json={"role": "importer", "name": "i"}
        ).json()["api_key"]
        body = {"organization_name": "Erased Ltd", "notification_email": address, "sku": ESSENTIALS}
        added = httpx.post(
            f"{server.url}/v1/customers",
            json=body,
            headers={**bearer(msp), "Idempotency-Key": "add-erased"},
            timeout=60,
        )
        assert added.status_code == 201, added.text
        cid = added.json()["id"]
        link = call(server, "GET", f"/v1/customers/{cid}/activation-link", msp).json()["url"]
        token = link.rsplit("/", 1)[1]
        assert httpx.post(f"{server.url}/activate/{token}", timeout=60).status_code < 400
        for n in range(3):  # past a snapshot (every 3 events)
            logged = call(
                server,
                "POST",
                f"/v1/customers/{cid}/import/log",
                importer,
                json={"level": "info", "message": f"mailbox {n} of {address}"},
            )
            assert logged.status_code == 200, logged.text
        settled(server, cid, msp)
        assert address.encode() in stored_bytes(backend_url)  # the views hold it, in clear

        erased = call(server, "POST", f"/v1/customers/{cid}/erasure", msp, json={"reason": "asked"})
        assert erased.status_code == 200, erased.text
        assert (erased.json()["notification_email"], erased.json()["erased"]) == (None, True)
        again = call(server, "POST", f"/v1/customers/{cid}/erasure", msp, json={"reason": "asked"})
        assert again.status_code == 409
        held = call(server, "GET", f"/v1/customers/{cid}/personal-data", msp).json()
        assert (held["erased"], held["holdings"]) == (True, [])

        assert address.encode() not in stored_bytes(backend_url)
        read = call(server, "GET", f"/v1/customers/{cid}", msp).json()
        assert (read["organization_name"], read["erased"]) == ("Erased Ltd", True)
        history = call(server, "GET", f"/v1/customers/{cid}/history", msp).text
        assert address not in history
        assert "PersonalDataErased" in history
    verify = subprocess.run(
        [str(Path(server.command[0])), "audit", "verify"],
        env=server.env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert address.encode() not in stored_bytes(backend_url)
