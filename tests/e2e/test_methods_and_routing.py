"""405 and its Allow header name exactly the methods of the path, and routing (404,
405) comes before the Idempotency-Key is looked at."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import World


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/activate/some-token", "GET, POST"),
        ("/v1/partners/8d0f4f5e-6d4c-4c4e-9a53-1f1e6b1f4a11", "GET, PATCH"),
        ("/v1/customers/8d0f4f5e-6d4c-4c4e-9a53-1f1e6b1f4a11/activation-link", "GET, POST"),
        ("/v1/customers", "GET, POST"),
        ("/v1/customers/pending", "GET"),
        ("/v1/test-clock/advance", "POST"),
    ],
)
@pytest.mark.parametrize("method", ["OPTIONS", "DELETE"])
def test_a_method_the_path_lacks_is_405_naming_every_method_it_has(
    world: World, method: str, path: str, allowed: str
) -> None:
    if method in allowed:
        pytest.skip(f"{path} has {method}")
    response = world.call("admin", method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    assert response.json()["type"].endswith("/method-not-allowed")


def test_an_undeclared_method_with_a_used_key_is_405_not_a_reused_key(world: World) -> None:
    key = {"Idempotency-Key": "k-1"}
    created = world.call(
        "msp",
        "POST",
        "/v1/customers",
        headers=key,
        json={
            "organization_name": "Contoso",
            "notification_email": "it@contoso.example",
            "sku": "ESSENTIALS_MSP_2025",
        },
    )
    assert created.status_code == 201
    for method in ("DELETE", "PUT", "OPTIONS"):
        response = world.call("msp", method, "/v1/customers", headers=key, json={})
        assert response.status_code == 405, response.text
        assert response.headers["allow"] == "GET, POST"
    unknown = world.call("msp", "POST", "/v1/no-such-thing", headers=key, json={})
    assert unknown.status_code == 404


def test_every_write_of_the_document_declares_the_key(world: World) -> None:
    document = world.client.get("/openapi.json").json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("get", "head") or path.startswith("/activate/"):
                continue  # reads, and the anonymous link holder's POST (itself idempotent)
            names = [p["name"] for p in operation.get("parameters", [])]
            assert "Idempotency-Key" in names, (method, path)


def test_the_test_clock_advance_replays_for_a_repeated_key(world: World) -> None:
    key = {"Idempotency-Key": "advance-1"}
    first = world.call("admin", "POST", "/v1/test-clock/advance", headers=key, json={"hours": 1})
    again = world.call("admin", "POST", "/v1/test-clock/advance", headers=key, json={"hours": 1})
    assert first.status_code == again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["now"] == first.json()["now"]
