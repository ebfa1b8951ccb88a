"""Secrets at rest and in transit: the stored answers of Idempotency-Keys hold no API key
in clear, expire after 24 hours, and every answer that carries a secret is no-store."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import psycopg
import pytest

from adapters.idempotency_store import IdempotencyKeys
from api.bootstrap import build
from api.settings import Settings
from application.clock import TestClock
from application.idempotency import Answer, Claim
from tests.e2e.conftest import World
from tests.support.backends import on_both_databases
from tests.support.principals import ADMIN_TOKEN, bearer

AS_ADMIN = bearer(ADMIN_TOKEN)
SECRET_BEARING = [
    ("POST", "/v1/partners", {"name": "P", "kind": "msp"}),
    ("POST", "/v1/service-keys", {"role": "auditor", "name": "a"}),
    ("POST", "/v1/partners/{msp}/api-keys", None),
]


pytestmark = on_both_databases


@pytest.fixture
def settings(settings: Settings, backend_url: str) -> Settings:
    """No background sweep: the test purges expired rows itself.
    (``backend_url`` is named here too: pytest 8
    parametrizes this module's ``backend_url`` only when a fixture of its own asks.)"""
    return settings.model_copy(update={"sweep": False})


def raw_rows(world: World) -> list[dict[str, Any]]:
    services = world.client.app.state.services  # type: ignore[attr-defined]
    return services.views.db.rows("SELECT * FROM idempotency_keys")  # type: ignore[no-any-return]


def as_bytes(value: object) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return str(value).encode()


def stored_anywhere(rows: list[dict[str, Any]], secret: str) -> bool:
    return any(secret.encode() in as_bytes(v) for row in rows for v in row.values())


def post(world: World, method: str, path: str, body: dict[str, Any] | None, key: str) -> Any:
    path = path.format(msp=world.ids["msp"])
    headers = {**AS_ADMIN, "Idempotency-Key": key}
    return world.client.request(method, path, json=body, headers=headers)


@pytest.mark.parametrize(("method", "path", "body"), SECRET_BEARING)
def test_a_stored_answer_holds_no_api_key_in_clear_and_is_replayed_whole(
    world: World, method: str, path: str, body: dict[str, Any] | None
) -> None:
    first = post(world, method, path, body, "k-secret")
    assert first.status_code == 201, first.text
    api_key = first.json()["api_key"]
    rows = raw_rows(world)
    assert [row["status"] for row in rows] == [201]
    assert not stored_anywhere(rows, api_key)
    assert not stored_anywhere(rows, api_key.split("_", 3)[3])  # not even its secret part
    again = post(world, method, path, body, "k-secret")
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert first.headers["cache-control"] == again.headers["cache-control"] == "no-store"


def test_the_secret_kept_while_the_command_runs_is_sealed_too(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def lost(*_: Any) -> None:
        raise psycopg.OperationalError("the process died before the answer was stored")

    monkeypatch.setattr(IdempotencyKeys, "finish", lost)
    first = post(world, "POST", "/v1/partners", {"name": "P", "kind": "msp"}, "k-window")
    api_key = first.json()["api_key"]
    rows = raw_rows(world)
    assert rows[0]["status"] is None
    assert rows[0]["sealed_secret"] is not None
    assert not stored_anywhere(rows, api_key)
    assert not stored_anywhere(rows, api_key.split("_", 3)[3])


def test_rows_expire_after_24_hours_and_are_purged_in_bounded_batches(world: World) -> None:
    body = {"name": "P", "kind": "msp"}
    first = post(world, "POST", "/v1/partners", body, "k-day")
    for n in range(4):
        post(world, "POST", "/v1/partners", {"name": f"Q{n}", "kind": "msp"}, f"k-{n}")
    world.clock.advance(timedelta(hours=23, minutes=59))
    assert post(world, "POST", "/v1/partners", body, "k-day").json() == first.json()

    world.clock.advance(timedelta(minutes=1))
    later = post(world, "POST", "/v1/partners", body, "k-day")
    assert later.status_code == 201
    assert "idempotent-replayed" not in later.headers
    assert later.json()["id"] != first.json()["id"]  # a new day, a new command
    store: IdempotencyKeys = world.client.app.state.services.idempotency  # type: ignore[attr-defined]
    assert len(raw_rows(world)) == 5
    assert store.purge(limit=3) == 3
    assert store.purge(limit=3) == 1
    assert store.purge(limit=3) == 0
    assert [row["key"] for row in raw_rows(world)] == ["k-day"]  # the new day's


def test_every_answer_that_carries_a_secret_is_no_store(world: World) -> None:
    cid = world.customer()["id"]
    msp = world.as_("msp")
    answers = {
        "read link": world.client.get(f"/v1/customers/{cid}/activation-link", headers=msp),
        "reissue link": world.client.post(f"/v1/customers/{cid}/activation-link", headers=msp),
        "pending list": world.client.get("/v1/customers/pending", headers=msp),
    }
    path = answers["reissue link"].json()["url"].split("8000", 1)[1]
    answers["link page"] = world.client.get(path)
    answers["activation"] = world.client.post(path)
    answers["activation page"] = world.client.post(path, headers={"Accept": "text/html"})
    for method, route, body in SECRET_BEARING:
        answers[route] = post(world, method, route, body, f"nostore-{route}")
    for name, answer in answers.items():
        assert answer.status_code in (200, 201), (name, answer.text)
        assert answer.headers.get("cache-control") == "no-store", name
    customer = world.client.get(f"/v1/customers/{cid}", headers=msp)
    assert "no-store" not in customer.headers.get("cache-control", "")


def test_a_table_of_the_first_schema_with_answers_in_clear_is_dropped(
    settings: Settings, clock: TestClock
) -> None:
    services = build(settings, clock)
    db = services.views.db
    with db.transaction() as tx:
        tx.execute("DROP TABLE idempotency_keys")
        tx.execute(
            "CREATE TABLE idempotency_keys (principal TEXT NOT NULL, key TEXT NOT NULL,"
            " request_hash TEXT NOT NULL, status INTEGER, body {bytes}, headers TEXT,"
            " created_at DOUBLE PRECISION NOT NULL, PRIMARY KEY (principal, key))"
        )
        tx.execute(
            "INSERT INTO idempotency_keys VALUES ('admin:admin', 'k', 'h', 201, ?, '[]', 0)",
            [b'{"api_key":"tnt_in_clear"}'],
        )
    services.close()
    again = build(settings, clock)
    try:
        assert again.views.db.rows("SELECT * FROM idempotency_keys") == []
        # and it works
        assert again.idempotency.claim("admin:admin", "k", "h")[0].value == "started"
    finally:
        again.close()


def test_a_retried_advance_is_replayed_though_it_moved_the_clock_past_a_day(
    world: World,
) -> None:
    # Given an advance of two days under a key
    headers = {**AS_ADMIN, "Idempotency-Key": "advance-1"}
    first = world.client.post("/v1/test-clock/advance", json={"days": 2}, headers=headers)
    assert first.status_code == 200, first.text
    # When it is retried with the same key (the client did not see the answer)
    again = world.client.post("/v1/test-clock/advance", json={"days": 2}, headers=headers)
    # Then it is the first answer, and time moved once: the 24 h count from the answer
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json() == first.json()
    assert world.client.get("/v1/test-clock", headers=AS_ADMIN).json() == first.json()


def test_a_request_whose_row_was_taken_over_does_not_overwrite_the_new_answer(
    world: World,
) -> None:
    # Given a request A that ran so long that request B, same key, took its row over
    store: IdempotencyKeys = world.client.app.state.services.idempotency  # type: ignore[attr-defined]
    assert store.claim("admin:x", "k", "hash-a") == (Claim.STARTED, None)
    store.release("admin:x", "k")  # stale at once, as after STALE_AFTER
    assert store.claim("admin:x", "k", "hash-b") == (Claim.STARTED, None)
    # When B finishes, then A
    store.finish("admin:x", "k", "hash-b", Answer(201, b'{"who": "b"}', []))
    store.finish("admin:x", "k", "hash-a", Answer(201, b'{"who": "a"}', []))
    # Then B's answer is what B's retries get; A's is not kept under B's request
    claim, answer = store.claim("admin:x", "k", "hash-b")
    assert claim is Claim.REPLAY
    assert answer is not None
    assert answer.body == b'{"who": "b"}'
