"""kill -9 of ``tenantry serve`` while writers with Idempotency-Keys are in flight, on
SQLite and PostgreSQL; after a restart every key is retried: each key has exactly one
effect, and every answer equals the first one (an API key shown again is the one that
works)."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from tests.faults.workload import ADMIN_TOKEN, SKU, bearer, call, server_env
from tests.support.server import Server, serving

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(240),
    pytest.mark.xdist_group("servers"),
    pytest.mark.alone,
]
WRITERS = 6
# A placeholder whose command never committed is taken over once stale: 60 s by
# default, 8 s here (TENANTRY_IDEMPOTENCY_STALE_AFTER_S), longer than any write takes.
STALE_AFTER_S = 8
RETRY_FOR_S = 40.0


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tenantry.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    env = server_env(database_url, TENANTRY_IDEMPOTENCY_STALE_AFTER_S=str(STALE_AFTER_S))
    with serving(env, tmp_path) as running:
        yield running


@dataclass(frozen=True)
class Sent:
    """A write with an Idempotency-Key; its name is unique, so its effect can be counted."""

    key: str
    token: str
    method: str
    path: str
    body: dict[str, Any] | None
    name: str  # the organization or partner name it creates ("" for an API key)


class Writers:
    """Threads that send creates with fresh Idempotency-Keys until the server dies."""

    def __init__(self, base: str, msp_token: str, msp_id: str) -> None:
        self.base, self.msp_token, self.msp_id = base, msp_token, msp_id
        self.sent: list[Sent] = []
        self.first: dict[str, httpx.Response] = {}
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._write, args=(n,)) for n in range(WRITERS)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def join(self) -> None:
        for thread in self.threads:
            thread.join(30)
            assert not thread.is_alive()

    def answered(self) -> int:
        return len(self.first)

    def _next(self, n: int, count: int) -> Sent:
        key, name = uuid.uuid4().hex, f"w{n}-{count}-{uuid.uuid4().hex[:6]}"
        kind = count % 4
        if kind == 1:
            return Sent(
                key, ADMIN_TOKEN, "POST", "/v1/partners", {"name": name, "kind": "msp"}, name
            )
        if kind == 3:
            return Sent(key, ADMIN_TOKEN, "POST", f"/v1/partners/{self.msp_id}/api-keys", None, "")
        body = {"organization_name": name, "notification_email": "it@example.com", "sku": SKU}
        return Sent(key, self.msp_token, "POST", "/v1/customers", body, name)

    def _write(self, n: int) -> None:
        with httpx.Client(base_url=self.base, timeout=20) as http:
            for count in range(10_000):
                sent = self._next(n, count)
                with self.lock:
                    self.sent.append(sent)
                try:
                    response = send(http, sent)
                except httpx.TransportError:
                    return  # the server is gone
                with self.lock:
                    self.first[sent.key] = response


def send(http: httpx.Client, sent: Sent) -> httpx.Response:
    headers = {**bearer(sent.token), "Idempotency-Key": sent.key}
    return http.request(sent.method, sent.path, json=sent.body, headers=headers)


def retried(base: str, sent: Sent) -> httpx.Response:
    """The answer to the key once it is no longer in progress."""
    give_up = time.monotonic() + RETRY_FOR_S
    with httpx.Client(base_url=base, timeout=20) as http:
        while True:
            response = send(http, sent)
            if response.status_code != 409 or time.monotonic() > give_up:
                return response
            time.sleep(0.2)


def created(database_url: str) -> Counter[str]:
    """How many times each organization or partner name was created, and how many API
    keys were issued (under ``""``), read from the events."""
    sql = (
        "SELECT topic, state FROM {table} WHERE topic IN"
        " ('Customer.Created', 'Partner.Registered', 'Partner.ApiKeyIssued')"
    )
    if database_url.startswith("sqlite"):  # the library's table names differ by backend
        sql = sql.format(table="stored_events")
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as conn:
            rows = conn.execute(sql).fetchall()
    else:
        with psycopg.connect(database_url) as conn:
            rows = conn.execute(sql.format(table="tenantry_events")).fetchall()
    names: Counter[str] = Counter()
    for topic, state in rows:
        data = json.loads(bytes(state))
        if topic == "Partner.ApiKeyIssued":
            names[""] += 1
        else:
            names[data["organization_name" if topic == "Customer.Created" else "name"]] += 1
    return names


def placeholders(database_url: str) -> int:
    sql = "SELECT count(*) FROM idempotency_keys WHERE status IS NULL"
    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as conn:
            return int(conn.execute(sql).fetchone()[0])
    with psycopg.connect(database_url) as conn:
        row = conn.execute(sql).fetchone()
        assert row is not None
        return int(row[0])


def test_kill_9_with_writers_in_flight_then_every_key_retried_has_one_effect(
    server: Server, database_url: str
) -> None:
    msp = call(
        server.url,
        "POST",
        "/v1/partners",
        201,
        ADMIN_TOKEN,
        json={"name": "MSP", "kind": "msp", "status": "production"},
    )
    writers = Writers(server.url, msp["api_key"], msp["id"])
    writers.start()
    give_up = time.monotonic() + 60
    while writers.answered() < 60:
        assert time.monotonic() < give_up, f"only {writers.answered()} writes answered"
        time.sleep(0.01)
    server.kill()  # every writer has a request in flight
    writers.join()
    in_flight = [s for s in writers.sent if s.key not in writers.first]
    left = placeholders(database_url)
    before = created(database_url)
    landed = sum(before[s.name] for s in in_flight if s.name)  # committed, not answered

    server.start(timeout=30)
    started = time.monotonic()
    again = {s.key: retried(server.url, s) for s in writers.sent}
    retry_seconds = time.monotonic() - started

    for sent in writers.sent:
        answer = again[sent.key]
        assert answer.status_code == 201, (sent, answer.status_code, answer.text)
        first = writers.first.get(sent.key)
        if first is not None:
            assert first.status_code == 201, (sent, first.text)
            assert answer.json() == first.json(), sent
            assert answer.headers.get("location") == first.headers.get("location")
        if "api_key" in answer.json():  # the key shown (again) is one that works
            works = httpx.get(
                f"{server.url}/v1/catalogue", headers=bearer(answer.json()["api_key"])
            )
            assert works.status_code == 200, (sent, works.text)
    names = created(database_url)
    for sent in writers.sent:
        if sent.name:
            assert names[sent.name] == 1, (sent, names[sent.name])
    # API keys: the MSP's first, one per partner registered, one per key asked for.
    partners = [s for s in writers.sent if s.path == "/v1/partners"]
    asked = [s for s in writers.sent if not s.name]
    assert names[""] == 1 + len(partners) + len(asked)
    assert len({again[s.key].json()["api_key"] for s in asked}) == len(asked)
    print(
        f"\n{len(writers.sent)} keys, {len(in_flight)} in flight at the kill ({landed} of them "
        f"created before it), {left} placeholders left; every key retried in "
        f"{retry_seconds:.1f} s"
    )
