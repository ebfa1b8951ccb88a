"""A browser (Accept ranks text/html first) gets pages, not JSON: problems, activation
links that are unknown, replaced or expired, and ``/`` (the console's sign-in)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from api.pages import prefers_html
from tests.e2e.conftest import World
from tests.support.principals import bearer
from tests.support.world import CUSTOMER_NAME, MSP_NAME

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def link_path(world: World, customer_id: str) -> str:
    url = world.call("msp", "GET", f"/v1/customers/{customer_id}/activation-link").json()["url"]
    return str(url).split("8000", 1)[1]


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        (BROWSER["Accept"], True),
        ("text/html", True),
        ("*/*", False),
        ("", False),
        ("application/json", False),
        ("application/json, text/html;q=0.5", False),
        ("text/html;q=0.5, application/problem+json", False),
        ("text/html;q=0", False),
    ],
)
def test_html_is_for_callers_who_rank_it_above_json(accept: str, html: bool) -> None:
    assert prefers_html(accept) is html


def test_the_root_leads_to_the_consoles_sign_in_page(world: World) -> None:
    response = world.client.get("/", follow_redirects=False, headers=BROWSER)
    assert response.status_code == 303
    assert response.headers["location"] == "/console/sign-in"


def test_a_browser_gets_a_problem_as_a_page_with_its_headers(world: World) -> None:
    response = world.client.get("/v1/customers", headers=BROWSER)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["www-authenticate"] == "Bearer"
    assert "<h1>Unauthorized</h1>" in response.text
    assert "Authorization: Bearer &lt;key&gt;" in response.text
    assert world.client.get("/v1/customers").headers["content-type"] == ("application/problem+json")


def test_an_unknown_link_is_a_page_that_says_so(world: World) -> None:
    response = world.client.get("/activate/not-a-token", headers=BROWSER)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "this link is not known" in response.text
    assert "ask your partner for a new link" in response.text


def test_a_replaced_link_is_a_page_that_says_to_ask_for_a_new_one(world: World) -> None:
    cid = world.customer()["id"]
    old = link_path(world, cid)
    assert world.call("msp", "POST", f"/v1/customers/{cid}/activation-link").status_code == 201
    for method in ("GET", "POST"):
        response = world.client.request(method, old, headers=BROWSER)
        assert response.status_code == 410
        assert response.headers["content-type"].startswith("text/html")
        assert (
            "this link was replaced by a newer one; ask your partner for a new link"
            in response.text
        )
    assert world.client.get(old).json()["type"].endswith("/link-expired")


def test_an_expired_link_is_a_page_that_says_when_it_expired(world: World) -> None:
    cid = world.customer()["id"]
    path = link_path(world, cid)
    world.clock.advance(timedelta(days=7))
    response = world.client.get(path, headers=BROWSER)
    assert response.status_code == 410
    assert "this link expired at 2026-01-12 09:00 UTC; ask your partner for a new link" in (
        response.text
    )


def test_the_activation_page_names_the_partner_and_the_end_of_the_link(world: World) -> None:
    cid = world.customer()["id"]
    page = world.client.get(link_path(world, cid), headers=BROWSER)
    assert page.status_code == 200
    assert f"{MSP_NAME} set up this tenant for {CUSTOMER_NAME}." in page.text
    assert "This link is valid until 2026-01-12 09:00 UTC." in page.text
    assert '<form method="post">' in page.text
    assert "<script" not in page.text


def test_names_on_the_pages_are_escaped(world: World) -> None:
    partner = world.client.post(
        "/v1/partners",
        json={"name": "<b>Evil</b> & co", "kind": "msp", "status": "production"},
        headers=bearer(world.keys["admin"]),
    ).json()
    customer = world.client.post(
        "/v1/customers",
        json={
            "organization_name": "<script>x</script>",
            "notification_email": "it@contoso.example",
            "sku": "ESSENTIALS_MSP_2025",
        },
        headers=bearer(partner["api_key"]),
    ).json()
    url = world.client.get(
        f"/v1/customers/{customer['id']}/activation-link", headers=bearer(partner["api_key"])
    ).json()["url"]
    page = world.client.get(url.split("8000", 1)[1], headers=BROWSER)
    assert "&lt;b&gt;Evil&lt;/b&gt; &amp; co" in page.text
    assert "&lt;script&gt;x&lt;/script&gt;" in page.text
    assert "<script>" not in page.text
    assert "<b>" not in page.text


def test_activating_answers_a_page_to_a_browser_and_json_to_a_client(world: World) -> None:
    cid = world.customer()["id"]
    path = link_path(world, cid)
    page = world.client.post(path, headers=BROWSER)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert f"{CUSTOMER_NAME} is activated" in page.text
    assert MSP_NAME in page.text
    again = world.client.post(path, headers={"Accept": "application/json"})
    assert again.json()["customer_id"] == cid
    assert world.client.post(path).json()["customer_id"] == cid
