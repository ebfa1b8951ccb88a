"""The console's Customers page against the JSON API's same page, and what a page
weighs.

``console.page_ms``: the server's time for a Customers page of 50 rows
(HTML, signed in with a session), baseline the JSON API's same page
(``GET /v1/customers?limit=50``) for the same auditor in the same run, both in-process
through the ASGI app (no network), median of rounds. ``console.page_weight_kb``: the
page with its CSS and scripts, gzip-compressed, against the 150 KB budget.
"""

from __future__ import annotations

import gzip
import statistics
import time
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Services
from domain.values import Actor, ActorKind, ServiceRole

ADMIN = Actor(kind=ActorKind.ADMIN, id="bench")
ROUNDS = 40
ROWS = 50
STATIC = Path(__file__).resolve().parent.parent / "api" / "static" / "console"
BUDGET_KB = 150.0


def page_ms(services: Services) -> tuple[float, float, float]:
    """Median ms of the console page and of the JSON page, and the page's weight in KB,
    as an auditor sees them (every customer: the page always has its 50 rows)."""
    key = services.partners.register_service_account(
        role=ServiceRole.AUDITOR, name="Bench auditor", by=ADMIN
    ).api_key
    client = TestClient(create_app(services), raise_server_exceptions=True)
    signed_in = client.post("/console/sign-in", data={"api_key": key}, follow_redirects=False)
    if signed_in.status_code != 303:
        raise RuntimeError(f"the bench could not sign in: {signed_in.status_code}")
    bearer = {"Authorization": f"Bearer {key}"}
    html_path = f"/console/customers?limit={ROWS}"
    json_path = f"/v1/customers?limit={ROWS}"
    html, json = [], []
    for _ in range(ROUNDS):
        html.append(_timed(client, html_path, {}))
        json.append(_timed(client, json_path, bearer))
    page = client.get(html_path).content
    if page.count(b'<input type="checkbox" name="customer"') < ROWS:
        raise RuntimeError("the console page holds fewer rows than measured")
    return statistics.median(html) * 1000, statistics.median(json) * 1000, weight_kb(page)


def weight_kb(page: bytes) -> float:
    """The page and everything it loads, each gzip-compressed as a server would send it."""
    assets = [
        STATIC / "vendor" / "pico" / "pico.min.css",
        STATIC / "vendor" / "htmx" / "htmx.min.js",
        STATIC / "console.css",
        STATIC / "console.js",
    ]
    parts = [page, *(asset.read_bytes() for asset in assets)]
    return sum(len(gzip.compress(part)) for part in parts) / 1024


def _timed(client: TestClient, path: str, headers: dict[str, str]) -> float:
    start = time.perf_counter()
    answer = client.get(path, headers=headers)
    elapsed = time.perf_counter() - start
    if answer.status_code != 200:
        raise RuntimeError(f"{path} answered {answer.status_code}")
    return elapsed
