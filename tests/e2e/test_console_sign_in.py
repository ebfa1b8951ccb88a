"""Signing in to the console with an API key: a server-side session behind a signed,
HttpOnly, SameSite=Lax cookie; sign-out ends it; CSRF tokens on every POST."""

from __future__ import annotations

from uuid import UUID

import pytest

from api.bootstrap import Services
from api.console.session import COOKIE
from domain.partner import Partner
from tests.e2e.conftest import World
from tests.e2e.console import browser, csrf_of, sign_in
from tests.support.principals import ADMIN
from tests.support.world import MSP_NAME

SIGNED_OUT = "/console/sign-in"


def test_a_person_opening_the_root_lands_on_the_sign_in_page(world: World) -> None:
    page = world.client.get("/")
    assert page.status_code == 200
    assert str(page.url).endswith("/console/sign-in")
    assert "<h2>Sign in with an API key</h2>" in page.text
    assert 'name="api_key"' in page.text


def test_the_console_pages_allow_only_their_own_scripts_and_no_framing(world: World) -> None:
    page = world.client.get("/console/sign-in")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "style-src 'self';" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    assert "<script>" not in page.text  # every script has a src
    assert page.text.count("<script src=") == 2


def test_a_partner_signs_in_and_sees_whose_session_it_is(world: World) -> None:
    sign_in(world.client, world.keys["msp"])
    page = world.client.get("/console/customers")
    assert page.status_code == 200
    assert f"Signed in as {MSP_NAME} (MSP)" in page.text


@pytest.mark.parametrize(
    ("who", "named"),
    [("admin", "the admin"), ("auditor", "auditor (auditor)"), ("dist", "Big Distributor")],
)
def test_the_admin_the_auditor_and_a_distributor_sign_in(
    world: World, who: str, named: str
) -> None:
    sign_in(world.client, world.keys[who])
    assert f"Signed in as {named}" in world.client.get("/console/customers").text


def test_the_session_cookie_is_signed_http_only_and_same_site_lax(
    world: World, services: Services
) -> None:
    answer = world.client.post(
        "/console/sign-in", data={"api_key": world.keys["msp"]}, follow_redirects=False
    )
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # the public URL is http here
    token = world.client.cookies[COOKIE].rsplit(".", 1)[0]
    stored = services.views.db.rows("SELECT * FROM console_sessions")
    assert len(stored) == 1
    assert token not in str(stored)  # only its hash is kept
    assert world.keys["msp"] not in str(stored)


def test_a_bad_key_shows_the_form_again_with_an_error(world: World) -> None:
    page = world.client.post("/console/sign-in", data={"api_key": "tnt_not_a_key"})
    assert page.status_code == 401
    assert page.headers["content-type"].startswith("text/html")
    assert "That key was not accepted" in page.text
    assert 'name="api_key"' in page.text
    assert "Traceback" not in page.text
    assert COOKIE not in world.client.cookies


def test_an_empty_key_is_not_accepted(world: World) -> None:
    page = world.client.post("/console/sign-in", data={"api_key": ""})
    assert page.status_code == 401
    assert "That key was not accepted" in page.text


def test_a_services_key_does_not_sign_in(world: World) -> None:
    page = world.client.post("/console/sign-in", data={"api_key": world.keys["importer"]})
    assert page.status_code == 403
    assert "a key of kind importer does not sign in to the console" in page.text
    assert COOKIE not in world.client.cookies


def test_a_sign_in_form_posted_from_another_site_is_refused(world: World) -> None:
    page = world.client.post(
        "/console/sign-in",
        data={"api_key": world.keys["msp"]},
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert page.status_code == 403
    assert COOKIE not in world.client.cookies


def test_without_a_session_the_pages_lead_to_the_sign_in(world: World) -> None:
    answer = world.client.get("/console/customers", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == SIGNED_OUT


def test_an_htmx_poll_without_a_session_sends_the_whole_page_to_the_sign_in(
    world: World,
) -> None:
    answer = world.client.get(
        "/console/customers?tab=pending", headers={"HX-Request": "true", "HX-Target": "list"}
    )
    assert answer.status_code == 204
    assert answer.headers["hx-redirect"] == SIGNED_OUT


def test_a_forged_cookie_is_no_session(world: World) -> None:
    sign_in(world.client, world.keys["msp"])
    token = world.client.cookies[COOKIE].rsplit(".", 1)[0]
    world.client.cookies.set(COOKIE, f"{token}.forged")
    answer = world.client.get("/console/customers", follow_redirects=False)
    assert answer.headers["location"] == SIGNED_OUT


def test_sign_out_ends_the_session_on_the_server(world: World) -> None:
    csrf = sign_in(world.client, world.keys["msp"])
    kept = world.client.cookies[COOKIE]
    answer = world.client.post(
        "/console/sign-out", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{SIGNED_OUT}?signed_out=true"
    assert "You are signed out." in world.client.get(answer.headers["location"]).text
    other = browser(world)  # the old cookie, replayed from elsewhere, opens nothing
    other.cookies.set(COOKIE, kept)
    assert other.get("/console/customers", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("sent", [None, "wrong", ""])
def test_sign_out_without_the_sessions_csrf_token_is_refused(
    world: World, sent: str | None
) -> None:
    sign_in(world.client, world.keys["msp"])
    data = {} if sent is None else {"csrf_token": sent}
    answer = world.client.post("/console/sign-out", data=data, follow_redirects=False)
    assert answer.status_code == 403
    assert "This form has expired" in answer.text
    assert world.client.get("/console/customers", follow_redirects=False).status_code == 200


def test_a_csrf_token_of_another_session_is_refused(world: World) -> None:
    sign_in(world.client, world.keys["msp"])
    other = browser(world)
    others_csrf = sign_in(other, world.keys["msp"])
    answer = world.client.post(
        "/console/sign-out", data={"csrf_token": others_csrf}, follow_redirects=False
    )
    assert answer.status_code == 403


def test_signing_out_in_one_browser_leaves_the_other_signed_in(world: World) -> None:
    csrf = sign_in(world.client, world.keys["msp"])
    other = browser(world)
    sign_in(other, world.keys["msp"])
    world.client.post("/console/sign-out", data={"csrf_token": csrf})
    assert other.get("/console/customers", follow_redirects=False).status_code == 200


def test_the_sign_in_page_of_a_signed_in_person_leads_to_the_customers(world: World) -> None:
    sign_in(world.client, world.keys["msp"])
    answer = world.client.get("/console/sign-in", follow_redirects=False)
    assert answer.headers["location"] == "/console/customers"


def test_a_revoked_key_ends_the_sessions_opened_with_it(world: World, services: Services) -> None:
    sign_in(world.client, world.keys["msp"])
    key_id = world.keys["msp"].split("_")[2]
    services.uow.change(
        Partner,
        UUID(world.ids["msp"]),
        lambda partner, now: partner.revoke_api_key(key_id=key_id, at=now, by=ADMIN),
    )
    answer = world.client.get("/console/customers", follow_redirects=False)
    assert answer.headers["location"] == SIGNED_OUT


def test_the_csrf_token_is_on_every_page_of_the_session(world: World) -> None:
    csrf = sign_in(world.client, world.keys["msp"])
    page = world.client.get("/console/customers?tab=pending").text
    assert csrf_of(page) == csrf


def test_a_form_posted_from_this_site_under_no_referrer_is_accepted(world: World) -> None:
    """Under ``Referrer-Policy: no-referrer`` a browser's form post says ``Origin: null``."""
    answer = world.client.post(
        "/console/sign-in",
        data={"api_key": world.keys["msp"]},
        headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
