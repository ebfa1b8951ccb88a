"""A real ``tenantry serve`` on a SQLite file, with the tests' admin token (``ADMIN_TOKEN``),
for black-box tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.support.events import ESSENTIALS
from tests.support.principals import ADMIN_TOKEN, bearer
from tests.support.server import Server, serving
from tests.support.settings import environment_for
from tests.support.world import CUSTOMER_NAME

__all__ = ["ADMIN_TOKEN", "an_msp_adds_a_customer", "live_server"]


@contextmanager
def live_server(workdir: Path, **env: str) -> Iterator[Server]:
    """Started and ready; stopped (SIGTERM) on leaving. ``env`` adds ``TENANTRY_*`` values."""
    own = {
        "TENANTRY_DATABASE_URL": f"sqlite:///{workdir / 'tenantry.db'}",
        "TENANTRY_OUTBOX_DIR": str(workdir / "outbox"),
    }
    env = environment_for(**{**own, **env})
    with serving(env, workdir, timeout=120) as server:  # a loaded machine starts it slowly
        yield server


def an_msp_adds_a_customer(base: str, admin_token: str) -> tuple[httpx.Response, dict[str, str]]:
    """The admin registers an MSP over HTTP, which adds a customer: the answer to the add,
    and the MSP's headers."""
    partner = httpx.post(
        f"{base}/v1/partners", json={"name": "N", "kind": "msp"}, headers=bearer(admin_token)
    )
    assert partner.status_code == 201
    msp = bearer(partner.json()["api_key"])
    body = {
        "organization_name": CUSTOMER_NAME,
        "notification_email": "a@b.example",
        "sku": ESSENTIALS,
    }
    return httpx.post(f"{base}/v1/customers", json=body, headers=msp), msp
