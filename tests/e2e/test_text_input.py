"""Text over HTTP: a field with a NUL, a control character or a lone surrogate is a
``validation`` problem naming the field, on every route that takes text; the views go
on for everyone afterwards (PostgreSQL could not keep such text in them)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.conftest import SKU, World
from tests.support.backends import on_both_databases

CUSTOMER = {"organization_name": "Contoso", "notification_email": "a@b.example", "sku": SKU}
POISON = ["\x00", "\x1b", "\x7f", "\ud800"]


pytestmark = on_both_databases


NEW = "/v1/customers"
LOG = "/v1/customers/{id}/import/log"
FAILURE = "/v1/customers/{id}/import/failures"
SUBSCRIPTION = "/v1/customers/{id}/subscription"
# (who, method, path with {id} for a customer in import, body, the field's loc)
ROUTES: list[tuple[str, str, str, dict[str, Any], list[str | int]]] = [
    ("msp", "POST", NEW, {**CUSTOMER, "organization_name": "A{}B"}, ["organization_name"]),
    ("msp", "POST", NEW, {**CUSTOMER, "notification_email": "a{}@b.c"}, ["notification_email"]),
    ("msp", "POST", NEW, {**CUSTOMER, "sku": SKU + "{}"}, ["sku"]),
    ("msp", "POST", NEW, {**CUSTOMER, "addons": ["AUDIT{}"]}, ["addons", 0]),
    ("admin", "POST", "/v1/partners", {"name": "Acme{}", "kind": "msp"}, ["name"]),
    ("admin", "POST", "/v1/service-keys", {"name": "imp{}", "role": "importer"}, ["name"]),
    ("importer", "POST", LOG, {"level": "info", "message": "m{}"}, ["message"]),
    ("importer", "POST", FAILURE, {"code": "E{}", "message": "m"}, ["code"]),
    ("importer", "POST", FAILURE, {"code": "E", "message": "m{}"}, ["message"]),
    ("msp", "PATCH", SUBSCRIPTION, {"sku": SKU + "{}"}, ["sku"]),
]


def _send(world: World, who: str, method: str, path: str, body: dict[str, Any]) -> Any:
    # json.dumps writes a lone surrogate as the escape "\ud800", as a client would.
    raw = json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    return world.call(who, method, path, content=raw, headers=headers)


def _with(body: dict[str, Any], char: str) -> dict[str, Any]:
    return json.loads(json.dumps(body).replace("{}", json.dumps(char)[1:-1]))


@pytest.mark.parametrize("char", POISON, ids=lambda c: f"U+{ord(c):04X}")
def test_every_text_field_refuses_what_no_store_keeps_naming_the_field(
    world: World, char: str
) -> None:
    customer_id = world.customer()["id"]
    link = world.call("msp", "GET", f"/v1/customers/{customer_id}/activation-link").json()
    assert world.client.post(link["url"].split("testserver", 1)[-1]).status_code == 200
    for who, method, path, body, loc in ROUTES:
        answer = _send(world, who, method, path.format(id=customer_id), _with(body, char))
        assert answer.status_code == 422, (path, body, answer.text)
        problem = answer.json()
        assert problem["type"].endswith("/validation")
        assert ["body", *loc] in [e["loc"] for e in problem["errors"]], (path, problem)


def test_a_multi_line_import_message_keeps_its_newlines_and_tabs(world: World) -> None:
    customer_id = world.customer()["id"]
    link = world.call("msp", "GET", f"/v1/customers/{customer_id}/activation-link").json()
    world.client.post(link["url"].split("testserver", 1)[-1])
    message = "copied 3 mailboxes\n\tone skipped"
    body = {"level": "warning", "message": message}
    answer = world.call("importer", "POST", f"/v1/customers/{customer_id}/import/log", json=body)
    assert answer.status_code == 200, answer.text
    history = world.call("msp", "GET", f"/v1/customers/{customer_id}/history").json()
    assert history["events"][-1]["data"]["message"] == message


def test_after_a_refused_name_the_views_go_on_for_everyone(world: World) -> None:
    refused = world.call(
        "msp", "POST", "/v1/customers", json={**CUSTOMER, "organization_name": "A\x00B"}
    )
    assert refused.status_code == 422
    world.customer(organization_name="Fabrikam")
    names = [
        c["organization_name"]
        for c in world.call("msp", "GET", "/v1/customers/pending").json()["items"]
    ]
    assert names == ["Fabrikam"]
    ready = world.client.get("/readyz")
    assert ready.status_code == 200, ready.text
