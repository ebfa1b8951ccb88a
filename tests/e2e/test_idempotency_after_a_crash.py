"""The window between a command's commit and the storage of its answer, for every write
that accepts an Idempotency-Key: the answer is not stored (as when the process dies
right after the commit), the key is retried, and the retry answers the first result
without doing anything again."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import psycopg
import pytest

from adapters.idempotency_store import IdempotencyKeys
from api.settings import Settings
from tests.e2e.conftest import SKU, World
from tests.support.backends import on_both_databases

NEW = {"organization_name": "Contoso", "notification_email": "it@contoso.example", "sku": SKU}


pytestmark = on_both_databases


@pytest.fixture
def settings(settings: Settings, backend_url: str) -> Settings:
    """No background sweep: every event recorded is a request's.
    (``backend_url`` is named here too: pytest 8
    parametrizes this module's ``backend_url`` only when a fixture of its own asks.)"""
    return settings.model_copy(update={"sweep": False})


@dataclass(frozen=True)
class Write:
    who: str
    method: str
    path: Callable[[World, str], str]  # from the world and the prepared customer's id
    body: dict[str, Any] | None = None
    customer: str = "none"  # none, pending, activated, onboarded, in-window, converted


def prepared(world: World, stage: str) -> str:
    if stage == "none":
        return ""
    cid = str(world.customer()["id"])
    if stage == "pending":
        return cid
    if stage == "activated":
        link = world.call("msp", "GET", f"/v1/customers/{cid}/activation-link").json()
        assert world.client.post(link["url"].split("8000", 1)[1]).status_code == 200
        return cid
    world.onboard(cid)
    if stage == "in-window":
        world.clock.advance(timedelta(days=12))
    if stage == "converted":
        converted = world.call(
            "msp",
            "POST",
            f"/v1/customers/{cid}/convert-to-production",
            json={"expiration_date": "2030-01-01"},
        )
        assert converted.status_code == 200, converted.text
    return cid


def customer(tail: str) -> Callable[[World, str], str]:
    return lambda world, cid: f"/v1/customers/{cid}{tail}"


WRITES = {
    "add customer": Write("msp", "POST", lambda w, c: "/v1/customers", NEW),
    "register partner": Write(
        "admin", "POST", lambda w, c: "/v1/partners", {"name": "P", "kind": "msp"}
    ),
    "service key": Write(
        "admin", "POST", lambda w, c: "/v1/service-keys", {"role": "importer", "name": "i"}
    ),
    "partner api key": Write("admin", "POST", lambda w, c: f"/v1/partners/{w.ids['msp']}/api-keys"),
    "partner status": Write(
        "admin", "PATCH", lambda w, c: f"/v1/partners/{w.ids['dist']}", {"status": "production"}
    ),
    "reissue link": Write("msp", "POST", customer("/activation-link"), customer="pending"),
    "extend trial": Write("msp", "POST", customer("/extend-trial"), customer="in-window"),
    "upgrade hold": Write(
        "msp", "PUT", customer("/automatic-upgrade"), {"enabled": False}, "onboarded"
    ),
    "convert": Write(
        "msp",
        "POST",
        customer("/convert-to-production"),
        {"expiration_date": "2030-01-01"},
        "onboarded",
    ),
    "subscription change": Write(
        "msp", "PATCH", customer("/subscription"), {"expiration_date": "2031-01-01"}, "converted"
    ),
    "import log": Write(
        "importer", "POST", customer("/import/log"), {"level": "info", "message": "go"}, "activated"
    ),
    "import failure": Write(
        "importer",
        "POST",
        customer("/import/failures"),
        {"code": "MAILBOX", "message": "down"},
        "activated",
    ),
    "import completion": Write(
        "importer", "POST", customer("/import/completion"), None, "activated"
    ),
}


def answer_not_stored(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """From now on answers are not stored (the database fails at that moment); the
    returned function restores it."""

    def lost(*_: Any) -> None:
        raise psycopg.OperationalError("the process died before the answer was stored")

    monkeypatch.setattr(IdempotencyKeys, "finish", lost)
    return monkeypatch.undo


def last_position(world: World) -> int:
    services = world.client.app.state.services  # type: ignore[attr-defined]
    return int(services.store.recorder.max_notification_id() or 0)


def placeholders_go_stale(world: World) -> None:
    """As if the process that made them died more than a minute ago."""
    services = world.client.app.state.services  # type: ignore[attr-defined]
    with services.views.db.transaction() as tx:
        tx.execute("UPDATE idempotency_keys SET created_at = 0")


def send(world: World, write: Write, cid: str, key: str) -> Any:
    kwargs: dict[str, Any] = {"headers": {"Idempotency-Key": key}}
    if write.body is not None:
        kwargs["json"] = write.body
    return world.call(write.who, write.method, write.path(world, cid), **kwargs)


@pytest.mark.parametrize("name", list(WRITES))
def test_a_retry_after_the_commit_answers_the_first_result_and_does_nothing_again(
    world: World, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    write = WRITES[name]
    cid = prepared(world, write.customer)
    restore = answer_not_stored(monkeypatch)
    first = send(world, write, cid, "k-crash")
    assert first.status_code in (200, 201), first.text
    restore()
    placeholders_go_stale(world)
    after_first = last_position(world)

    again = send(world, write, cid, "k-crash")

    assert last_position(world) == after_first, "the retry recorded events again"
    assert again.status_code == first.status_code
    assert again.json() == first.json()
    for header in ("location", "etag"):
        assert again.headers.get(header) == first.headers.get(header)
    # And from now on the answer is stored and replayed.
    third = send(world, write, cid, "k-crash")
    assert third.headers.get("idempotent-replayed") == "true"
    assert third.json() == first.json()
    if "api_key" in first.json():  # the key shown again is the one that works
        key = first.json()["api_key"]
        assert world.client.get("/v1/catalogue", headers={"Authorization": f"Bearer {key}"})


def test_a_fresh_placeholder_of_a_dead_process_does_not_make_the_retry_wait(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    restore = answer_not_stored(monkeypatch)
    first = world.call("msp", "POST", "/v1/customers", json=NEW, headers={"Idempotency-Key": "k"})
    restore()
    started = time.monotonic()
    again = world.call("msp", "POST", "/v1/customers", json=NEW, headers={"Idempotency-Key": "k"})
    assert time.monotonic() - started < 2.0
    assert again.status_code == 201
    assert again.json() == first.json()


def test_the_same_key_with_another_body_after_the_commit_is_reused(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    restore = answer_not_stored(monkeypatch)
    world.call("msp", "POST", "/v1/customers", json=NEW, headers={"Idempotency-Key": "k"})
    restore()
    with world.client.app.state.services.views.db.transaction() as tx:  # type: ignore[attr-defined]
        tx.execute("DELETE FROM idempotency_keys")  # the row is gone; the receipt is not
    other = world.call(
        "msp",
        "POST",
        "/v1/customers",
        json={**NEW, "sku": SKU, "organization_name": "B"},
        headers={"Idempotency-Key": "k"},
    )
    assert other.status_code == 422
    assert other.json()["type"].endswith("/idempotency-key-reused")


def test_a_request_that_runs_many_commands_keys_only_its_first(world: World) -> None:
    """Advancing the test clock under a key settles what fell due, in the request:
    every customer's upgrade is its own command, not a replay of the first one."""
    customers = [prepared(world, "onboarded") for _ in range(3)]
    advanced = world.call(
        "admin",
        "POST",
        "/v1/test-clock/advance",
        json={"days": 60},
        headers={"Idempotency-Key": "k-advance"},
    )
    assert advanced.status_code == 200, advanced.text
    for cid in customers:
        history = world.call("msp", "GET", f"/v1/customers/{cid}/history").json()
        assert "UpgradedToProduction" in [e["type"] for e in history["events"]], cid
