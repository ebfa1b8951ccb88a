"""What a caller may not see answers, byte for byte, as what does not exist.

Every route that takes a customer id is called twice by each principal: once with the
id of something that exists but that the principal may not see (another partner's
customer, a partner, a service account) and once with a random id. The two answers
must be the same status, headers and body, the id apart; and so before any
precondition (``If-Match``) or the time of ``?as_of=`` is looked at.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import SKU, World

ID = "<id>"
PAST, NOW = "2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z"
STALE, MALFORMED = {"If-Match": '"99"'}, {"If-Match": '"not-a-version"'}
WRITES: list[tuple[str, str, Any]] = [
    ("POST", "/activation-link", None),
    ("POST", "/import/log", {"level": "info", "message": "m"}),
    ("POST", "/import/failures", {"code": "C", "message": "m"}),
    ("POST", "/import/completion", None),
    ("POST", "/extend-trial", None),
    ("PUT", "/automatic-upgrade", {"enabled": False}),
    ("POST", "/convert-to-production", {"expiration_date": "2030-01-01"}),
    ("PATCH", "/subscription", {"addons": ["AUDIT"]}),
]
READS = ["", f"?as_of={PAST}", f"?as_of={NOW}", "/history", "/activation-link"]
# principal -> whose customer it may not see
INVISIBLE_OWNER = {"msp": "other_msp", "dist": "other_msp", "other_msp": "msp", "other_dist": "msp"}
PRINCIPALS = ["msp", "dist", "other_msp", "other_dist", "importer", "auditor", "admin"]


def requests() -> Iterator[tuple[str, str, Any, dict[str, str]]]:
    for suffix in READS:
        yield "GET", suffix, None, {}
    for method, suffix, body in WRITES:
        for headers in ({}, STALE, MALFORMED, {"Idempotency-Key": "k"}):
            yield method, suffix, body, headers


def answer(world: World, who: str, customer_id: str, request: tuple[Any, ...]) -> tuple[Any, ...]:
    """The answer with the id (and request-specific headers) taken out."""
    method, suffix, body, headers = request
    if "Idempotency-Key" in headers:
        headers = {"Idempotency-Key": f"{customer_id}-{method}-{suffix}"}
    response = world.call(
        who, method, f"/v1/customers/{customer_id}{suffix}", json=body, headers=headers
    )
    kept = {k: v for k, v in response.headers.items() if k not in {"date", "content-length"}}
    return response.status_code, kept, response.content.replace(customer_id.encode(), ID.encode())


def hidden_ids(world: World, who: str) -> dict[str, str]:
    """Ids of things that exist and that ``who`` may not see as a customer."""
    ids = {"a partner": world.ids["msp"], "a distributor": world.ids["dist"]}
    service = world.call("admin", "POST", "/v1/service-keys", json={"role": "auditor", "name": "a"})
    ids["a service account"] = service.json()["holder_id"]
    if who in INVISIBLE_OWNER:
        ids["another partner's customer"] = world.customer(INVISIBLE_OWNER[who])["id"]
    return ids


@pytest.mark.parametrize("who", PRINCIPALS)
def test_what_a_principal_may_not_see_answers_as_a_missing_id(world: World, who: str) -> None:
    hidden = hidden_ids(world, who)
    for request in requests():
        missing = answer(world, who, str(uuid.uuid4()), request)
        for what, hidden_id in hidden.items():
            assert answer(world, who, hidden_id, request) == missing, (what, request)


def test_a_malformed_if_match_is_refused_before_the_customer_is_looked_up(
    world: World,
) -> None:
    """The document gives If-Match's pattern: a tag outside it is ``validation`` whether
    the customer is missing, another partner's or the caller's own."""
    visible = world.customer()["id"]
    answers = {
        what: world.call(
            "msp",
            "PUT",
            f"/v1/customers/{customer_id}/automatic-upgrade",
            json={"enabled": False},
            headers=MALFORMED,
        )
        for what, customer_id in {
            "missing": str(uuid.uuid4()),
            "invisible": world.customer("other_msp")["id"],
            "visible": visible,
        }.items()
    }
    assert {what: a.status_code for what, a in answers.items()} == dict.fromkeys(answers, 422)
    assert len({a.text for a in answers.values()}) == 1


def test_a_visible_customer_read_before_it_existed_says_so(world: World) -> None:
    customer = world.customer()
    response = world.call("dist", "GET", f"/v1/customers/{customer['id']}?as_of={PAST}")
    assert response.status_code == 404
    assert "did not exist at" in response.json()["detail"]


@pytest.mark.parametrize("who", ["msp", "dist"])
@pytest.mark.parametrize("source", [None, "DIRECT"])
def test_a_partner_naming_another_partner_learns_nothing_of_it(
    world: World, who: str, source: str | None
) -> None:
    def add(partner_id: str) -> tuple[int, bytes]:
        body = {"organization_name": "X", "notification_email": "a@b.example", "sku": SKU}
        body |= {"partner_id": partner_id} | ({"source": source} if source else {})
        response = world.call(who, "POST", "/v1/customers", json=body)
        return response.status_code, response.content.replace(partner_id.encode(), ID.encode())

    assert add(world.ids["other_msp"]) == add(str(uuid.uuid4()))
    assert add(world.ids["other_msp"])[0] == 403


@pytest.mark.parametrize("who", ["msp", "dist", "other_dist"])
@pytest.mark.parametrize("list_path", ["/v1/customers/pending", "/v1/customers"])
@pytest.mark.parametrize("query", ["owner", "distributor"])
def test_a_list_filtered_by_a_partner_it_may_not_see_answers_as_one_that_does_not_exist(
    world: World, who: str, list_path: str, query: str
) -> None:
    world.customer("other_msp")
    world.onboard(world.customer()["id"])

    def listed(partner_id: str) -> tuple[int, bytes]:
        response = world.call(who, "GET", f"{list_path}?{query}={partner_id}")
        return response.status_code, response.content

    hidden = world.ids["other_msp"] if who != "other_dist" else world.ids["msp"]
    assert listed(hidden) == listed(str(uuid.uuid4())) == (200, b'{"items":[],"next_cursor":null}')
