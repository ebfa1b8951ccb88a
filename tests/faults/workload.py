"""A stream of writes from client threads against the real server, and what to check after.

Each client thread walks its own customers through create -> activate -> import
completion -> subscription changes, sending an ``Idempotency-Key`` on every authenticated
write, and records every answer. A write is *acknowledged* when the server answered 2xx;
the checks afterwards say every acknowledged write is in the customer's history.
"""

from __future__ import annotations

import itertools
import subprocess
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

from tests.support.principals import bearer
from tests.support.server import TENANTRY, Server

ADMIN_TOKEN = "admin-faults-token"
SKU = "ESSENTIALS_MSP_2025"
ADDONS = (["AUDIT"], ["DELEGATION"], ["AUDIT", "HYBRID_2025"], [])
# Every answer must arrive within this bound: a request that takes longer is a hang.
REQUEST_TIMEOUT_S = 20.0
TIMEOUT = "no answer within the bound"
VIEW_TABLES = {
    "view_pending_customers": "id",
    "view_customers": "id",
    "view_deadlines": "customer_id, kind",
    "view_partners": "id",
}


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    return {
        "TENANTRY_DATABASE_URL": database_url,
        "TENANTRY_ADMIN_TOKEN": ADMIN_TOKEN,
        "TENANTRY_SECRET_KEY": "f" * 32,
        "TENANTRY_TEST_CLOCK": "1",
        **extra,
    }


def call(base: str, method: str, path: str, expect: int, key: str, **kwargs: Any) -> Any:
    """One request that must succeed with ``expect``; its JSON body."""
    response = httpx.request(
        method, base + path, headers=bearer(key), timeout=REQUEST_TIMEOUT_S * 3, **kwargs
    )
    assert response.status_code == expect, (method, path, response.status_code, response.text)
    return response.json()


@dataclass(frozen=True)
class Ack:
    """A write the server acknowledged (2xx)."""

    customer_id: str
    event: str  # the event type the write records
    version: int | None  # the customer's version in the answer (None: not in the answer)
    data: dict[str, Any] = field(default_factory=dict)  # members the event must carry


@dataclass(frozen=True)
class Answer:
    method: str
    path: str
    status: int | None  # None: no answer (connection refused or reset)
    content_type: str
    body: str
    seconds: float
    after_503: bool = False  # a retry (same Idempotency-Key) of a write answered 503


@dataclass
class Keys:
    partners: list[str]
    importer: str


def set_up_principals(base: str, partners: int = 2) -> Keys:
    keys = []
    for n in range(partners):
        body = {"name": f"MSP {n}", "kind": "msp", "status": "production"}
        keys.append(call(base, "POST", "/v1/partners", 201, ADMIN_TOKEN, json=body)["api_key"])
    importer = call(
        base, "POST", "/v1/service-keys", 201, ADMIN_TOKEN, json={"role": "importer", "name": "i"}
    )["api_key"]
    return Keys(keys, importer)


class Workload:
    """``clients`` threads writing until ``stop()``; acknowledged writes in ``acks``."""

    def __init__(
        self, base: str, keys: Keys, clients: int = 4, *, retries: int = 0, pause: float = 0.0
    ) -> None:
        self.base = base
        self.keys = keys
        self.clients = clients
        self.retries = retries  # attempts again after a 503 or no answer (same key)
        self.pause = pause
        self.acks: list[Ack] = []
        self.answers: list[Answer] = []
        self.customers: set[str] = set()
        self.lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._names = itertools.count()
        self._after_503 = threading.local()

    # ------------------------------------------------------------- control
    def start(self) -> None:
        for n in range(self.clients):
            thread = threading.Thread(target=self._client, args=(n,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = REQUEST_TIMEOUT_S * 4) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
            assert not thread.is_alive(), "a client thread hangs"

    def wait_for_acks(self, count: int, timeout: float) -> None:
        give_up = time.monotonic() + timeout
        while len(self.acks) < count:
            assert time.monotonic() < give_up, f"only {len(self.acks)} writes acknowledged"
            time.sleep(0.02)

    def hangs(self) -> list[Answer]:
        with self.lock:
            return [a for a in self.answers if a.body == TIMEOUT]

    def refusals(self) -> list[Answer]:
        """Answers that were neither 2xx nor absent."""
        with self.lock:
            return [a for a in self.answers if a.status is not None and a.status >= 300]

    # ------------------------------------------------------------- clients
    def _client(self, n: int) -> None:
        key = self.keys.partners[n % len(self.keys.partners)]
        with httpx.Client(base_url=self.base, timeout=REQUEST_TIMEOUT_S) as http:
            while not self._stop.is_set():
                if not self._one_customer(http, key, n):
                    return

    def _one_customer(self, http: httpx.Client, key: str, n: int) -> bool:
        """Walk one customer through its onboarding; False when the server is gone."""
        name = f"Client {n} customer {next(self._names)}"
        body = {"organization_name": name, "notification_email": "it@example.com", "sku": SKU}
        created = self._write(http, "POST", "/v1/customers", key, json=body)
        if created is None:
            return not self._stop.is_set()
        cid = created["id"]
        with self.lock:
            self.customers.add(cid)
        self._ack(cid, "Created", created["version"], {"organization_name": name})

        link = self._request(http, "GET", f"/v1/customers/{cid}/activation-link", key)
        if link is None or link.status_code != 200:
            return link is not None
        path = "/activate/" + link.json()["url"].rsplit("/activate/", 1)[1]
        if self._write(http, "POST", path, None) is None:
            return True
        self._ack(cid, "Activated", None)

        done = self._write(
            http, "POST", f"/v1/customers/{cid}/import/completion", self.keys.importer
        )
        if done is None:
            return True
        self._ack(cid, "Onboarded", done["version"])

        for addons in ADDONS[: 1 + n % len(ADDONS)]:
            if self._stop.is_set():
                break
            changed = self._write(
                http, "PATCH", f"/v1/customers/{cid}/subscription", key, json={"addons": addons}
            )
            if changed is None:
                return True
            self._ack(cid, "SubscriptionChanged", changed["version"], {"addons": addons})
        return True

    def _ack(self, cid: str, event: str, version: int | None, data: Any = None) -> None:
        with self.lock:
            self.acks.append(Ack(cid, event, version, data or {}))

    def _write(
        self, http: httpx.Client, method: str, path: str, key: str | None, **kwargs: Any
    ) -> Any:
        """The JSON of a 2xx answer, else None; retries 503s and lost answers (same key)."""
        headers = {"Idempotency-Key": uuid.uuid4().hex} if key else {}
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(0.2 * attempt)
            response = self._request(
                http, method, path, key, headers=headers, after_503=attempt > 0, **kwargs
            )
            if response is not None and 200 <= response.status_code < 300:
                if self.pause:
                    time.sleep(self.pause)
                return response.json()
            if response is not None and response.status_code != 503:
                return None
            if self._stop.is_set():
                return None
        return None

    def _request(
        self,
        http: httpx.Client,
        method: str,
        path: str,
        key: str | None,
        *,
        after_503: bool = False,
        **kwargs: Any,
    ) -> httpx.Response | None:
        self._after_503.value = after_503
        headers = {**(bearer(key) if key else {}), **kwargs.pop("headers", {})}
        started = time.monotonic()
        try:
            response = http.request(method, path, headers=headers, **kwargs)
        except httpx.TimeoutException:
            self._record(method, path, None, "", TIMEOUT, started)
            return None
        except httpx.TransportError as error:
            self._record(method, path, None, "", repr(error), started)
            return None
        ctype = response.headers.get("content-type", "")
        self._record(method, path, response.status_code, ctype, response.text[:500], started)
        return response

    def _record(
        self, method: str, path: str, status: int | None, ctype: str, body: str, started: float
    ) -> None:
        after_503 = getattr(self._after_503, "value", False)
        answer = Answer(method, path, status, ctype, body, time.monotonic() - started, after_503)
        with self.lock:
            self.answers.append(answer)


# ---------------------------------------------------------------- checks
def histories(base: str, customers: set[str]) -> dict[str, list[dict[str, Any]]]:
    auditor = call(
        base, "POST", "/v1/service-keys", 201, ADMIN_TOKEN, json={"role": "auditor", "name": "a"}
    )["api_key"]
    return {
        cid: call(base, "GET", f"/v1/customers/{cid}/history", 200, auditor)["events"]
        for cid in sorted(customers)
    }


def check_acknowledged(base: str, acks: list[Ack], customers: set[str]) -> dict[str, Any]:
    """Every acknowledged write is in its customer's history, at its version, with its
    effect; returns the histories of every customer the clients created."""
    events_of = histories(base, customers | {a.customer_id for a in acks})
    for ack in acks:
        events = events_of[ack.customer_id]
        if ack.version is None:
            assert ack.event in [e["type"] for e in events], (ack, events)
            continue
        assert events[-1]["version"] >= ack.version, (ack, events[-1])
        [event] = [e for e in events if e["version"] == ack.version]
        assert event["type"] == ack.event, (ack, event)
        for member, value in ack.data.items():
            assert event["data"][member] == value, (ack, event)
    return events_of


def upgrades_exactly_once(events_of: dict[str, list[dict[str, Any]]]) -> None:
    """Every onboarded customer was upgraded once, no other one was; activation emails
    were recorded at most once (exactly once for customers not activated)."""
    for cid, events in events_of.items():
        types = Counter(e["type"] for e in events)
        expected = 1 if types["Onboarded"] else 0
        assert types["UpgradedToProduction"] == expected, (cid, types)
        # The activation email goes once; not at all when the link was used before it went.
        assert types["ActivationSent"] in ({0, 1} if types["Activated"] else {1}), (cid, types)


def stored_events(database_url: str, topic: str) -> int:
    """How many events of ``topic`` are stored (read straight from the database)."""
    with psycopg.connect(database_url) as conn:
        [(count,)] = conn.execute(
            "SELECT count(*) FROM tenantry_events WHERE topic = %s", [topic]
        ).fetchall()
    return int(count)


def view_rows(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    with psycopg.connect(database_url) as conn:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY {key}").fetchall()
            for table, key in VIEW_TABLES.items()
        }


def check_views_equal_a_rebuild(server: Server, database_url: str, workdir: Path) -> int:
    """The views' rows are those a rebuild from the events gives (``tenantry projections
    rebuild`` in another process); the number of customer rows compared."""
    before = view_rows(database_url)
    done = subprocess.run(
        [str(TENANTRY), "projections", "rebuild"],
        env=server.env,
        cwd=workdir,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    after = view_rows(database_url)
    for table in VIEW_TABLES:
        assert before[table] == after[table], table
    return len(before["view_pending_customers"]) + len(before["view_customers"])


def advance(base: str, **delta: int) -> None:
    call(base, "POST", "/v1/test-clock/advance", 200, ADMIN_TOKEN, json=delta)
