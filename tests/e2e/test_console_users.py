"""People sign in from an emailed link, and the history says who: the admin invites a
person, the person follows the link, confirms, adds a customer; the customer's history
names them. A partner's admin users manage its users on the **Users** page."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from api.console.session import COOKIE
from application.sign_in_links import LINK_TTL
from tests.e2e.conftest import SKU, World
from tests.e2e.console import PENDING, browser, csrf_of, sign_in
from tests.support.outbox import last_sign_in_link, sign_in_links
from tests.support.world import MSP_NAME

ADA = "ada@msp.example"
GRACE = "grace@msp.example"
ADA_SIGNED_IN = f"Signed in as Ada Lovelace ({ADA}), {MSP_NAME} (MSP)"
SAME_ANSWER = "a sign-in link is on its way to it. It works once, for 15 minutes."


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    return tmp_path / "outbox"


def invite(world: World, email: str = ADA, name: str = "Ada Lovelace", role: str = "admin") -> str:
    body = {"email": email, "name": name, "role": role}
    answer = world.call("admin", "POST", f"/v1/partners/{world.ids['msp']}/users", json=body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def path_of(link: str) -> str:
    return urlsplit(link).path


def follow(client: TestClient, link: str) -> str:
    """Opens the emailed link, confirms on its page; the session's CSRF token."""
    page = client.get(path_of(link))
    assert page.status_code == 200, page.text
    answer = client.post(path_of(link), follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/console/customers"
    return csrf_of(client.get("/console/customers").text)


def test_an_invited_person_follows_the_link_adds_a_customer_and_the_history_says_who(
    world: World, outbox: Path
) -> None:
    user_id = invite(world)
    link = last_sign_in_link(outbox, ADA)

    page = world.client.get(path_of(link))
    assert f"<h1>Sign in as Ada Lovelace ({ADA})</h1>" in page.text
    assert world.client.get(path_of(link)).status_code == 200  # looking twice uses nothing
    assert COOKIE not in world.client.cookies
    csrf = follow(world.client, link)
    assert ADA_SIGNED_IN in world.client.get("/console/customers").text

    added = world.client.post(
        "/console/customers/new",
        data={
            "csrf_token": csrf,
            "organization_name": "Fabrikam",
            "notification_email": "it@fabrikam.example",
            "sku": SKU,
        },
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    [customer] = world.call("msp", "GET", "/v1/customers/pending").json()["items"]
    history = world.call("msp", "GET", f"/v1/customers/{customer['id']}/history").json()
    created = history["events"][0]
    assert created["type"] == "Created"
    assert created["actor"] == {
        "kind": "msp",
        "id": world.ids["msp"],
        "user_id": user_id,
        "name": "Ada Lovelace",
        "email": ADA,
    }
    by_system = [e for e in history["events"] if e["actor"]["kind"] == "system"]
    assert all(set(e["actor"]) == {"kind", "id"} for e in by_system)


def test_the_link_works_once(world: World, outbox: Path) -> None:
    invite(world)
    link = last_sign_in_link(outbox, ADA)
    follow(world.client, link)
    other = browser(world)
    again = other.post(path_of(link), follow_redirects=False)
    assert again.status_code == 410
    assert "This sign-in link does not work any more" in again.text
    assert COOKIE not in other.cookies


def test_the_link_stops_working_after_15_minutes(world: World, outbox: Path) -> None:
    invite(world)
    link = last_sign_in_link(outbox, ADA)
    world.clock.advance(LINK_TTL)
    assert world.client.get(path_of(link)).status_code == 410
    assert world.client.post(path_of(link), follow_redirects=False).status_code == 410


def test_a_link_confirmed_from_another_site_is_refused(world: World, outbox: Path) -> None:
    invite(world)
    link = last_sign_in_link(outbox, ADA)
    answer = world.client.post(
        path_of(link), headers={"Sec-Fetch-Site": "cross-site"}, follow_redirects=False
    )
    assert answer.status_code == 403
    follow(world.client, link)  # it was not used up


def test_asking_for_a_link_answers_the_same_for_a_user_and_for_nobody(
    world: World, outbox: Path
) -> None:
    invite(world)
    known = world.client.post("/console/sign-in/email", data={"email": ADA})
    unknown = world.client.post("/console/sign-in/email", data={"email": "nobody@msp.example"})
    assert known.status_code == unknown.status_code == 200
    assert SAME_ANSWER in known.text
    assert known.text.replace(ADA, "X") == unknown.text.replace("nobody@msp.example", "X")
    assert len(sign_in_links(outbox, ADA)) == 2  # the invitation, and this one
    assert sign_in_links(outbox, "nobody@msp.example") == []
    follow(browser(world), last_sign_in_link(outbox, ADA))


def test_asking_for_links_is_throttled_per_address(world: World, outbox: Path) -> None:
    invite(world)
    answers = [
        world.client.post("/console/sign-in/email", data={"email": ADA}).status_code
        for _ in range(4)
    ]
    assert answers == [200, 200, 200, 429]
    other = world.client.post("/console/sign-in/email", data={"email": "other@msp.example"})
    assert other.status_code == 200


def test_the_sign_in_page_has_both_forms(world: World) -> None:
    page = world.client.get("/console/sign-in").text
    assert "<h2>Email me a sign-in link</h2>" in page
    assert "<h2>Sign in with an API key</h2>" in page
    assert 'action="/console/sign-in/email"' in page


def test_an_admin_user_invites_a_member_who_sees_the_users_but_manages_none(
    world: World, outbox: Path
) -> None:
    invite(world)
    csrf = follow(world.client, last_sign_in_link(outbox, ADA))
    invited = world.client.post(
        "/console/users",
        data={"csrf_token": csrf, "email": GRACE, "name": "Grace Hopper", "role": "member"},
        follow_redirects=False,
    )
    assert invited.status_code == 303
    page = world.client.get(invited.headers["location"]).text
    assert "The invitation is on its way" in page
    assert GRACE in page
    grace = browser(world)
    follow(grace, last_sign_in_link(outbox, GRACE))
    seen = grace.get("/console/users").text
    assert ADA in seen
    assert 'action="/console/users"' not in seen  # a member invites nobody
    assert "/removal" not in seen


def test_an_invitation_with_a_bad_address_shows_why_beside_the_field(
    world: World, outbox: Path
) -> None:
    invite(world)
    csrf = follow(world.client, last_sign_in_link(outbox, ADA))
    page = world.client.post(
        "/console/users", data={"csrf_token": csrf, "email": ADA, "name": "<b>again</b>"}
    )
    assert page.status_code == 422
    assert 'id="email-error"' in page.text
    assert "is already the address of a user" in page.text
    assert "&lt;b&gt;again&lt;/b&gt;" in page.text


def test_a_removed_persons_session_stops_at_once(world: World, outbox: Path) -> None:
    invite(world)
    csrf = follow(world.client, last_sign_in_link(outbox, ADA))
    grace_id = invite(world, GRACE, "Grace Hopper", "member")
    grace = browser(world)
    follow(grace, last_sign_in_link(outbox, GRACE))
    assert grace.get(PENDING, follow_redirects=False).status_code == 200

    promoted = world.client.post(
        f"/console/users/{grace_id}/role",
        data={"csrf_token": csrf, "role": "admin"},
        follow_redirects=False,
    )
    assert promoted.status_code == 303
    removed = world.client.post(
        f"/console/users/{grace_id}/removal", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert removed.status_code == 303

    assert grace.get(PENDING, follow_redirects=False).headers["location"] == "/console/sign-in"


def test_a_user_cannot_remove_themself(world: World, outbox: Path) -> None:
    ada_id = invite(world)
    csrf = follow(world.client, last_sign_in_link(outbox, ADA))
    answer = world.client.post(f"/console/users/{ada_id}/removal", data={"csrf_token": csrf})
    assert answer.status_code == 409
    assert "a user cannot remove themselves" in answer.text


def test_a_person_of_another_partner_cannot_touch_this_partners_users(
    world: World, outbox: Path
) -> None:
    ada_id = invite(world)
    body = {"email": GRACE, "name": "Grace", "role": "admin"}
    other = world.call("admin", "POST", f"/v1/partners/{world.ids['other_msp']}/users", json=body)
    assert other.status_code == 201
    grace = browser(world)
    csrf = follow(grace, last_sign_in_link(outbox, GRACE))
    answer = grace.post(f"/console/users/{ada_id}/removal", data={"csrf_token": csrf})
    assert answer.status_code == 404
    assert ADA not in grace.get("/console/users").text


def test_a_partner_key_or_the_admin_gets_no_users_page(world: World) -> None:
    sign_in(world.client, world.keys["msp"])
    answer = world.client.get("/console/users")
    assert answer.status_code == 403
    assert "sign in with a link sent to their email address" in answer.text


def test_the_logs_show_no_sign_in_link(
    world: World, outbox: Path, caplog: pytest.LogCaptureFixture
) -> None:
    invite(world)
    path = path_of(last_sign_in_link(outbox, ADA))
    with caplog.at_level(logging.WARNING, logger="tenantry.api"):
        logging.getLogger("tenantry.api").warning("unhandled error on %s %s", "POST", path)
    assert "/console/sign-in/link/…" in caplog.text
    assert path not in caplog.text


def test_the_admins_invitation_is_refused_for_a_user_an_unknown_partner_or_a_bad_role(
    world: World,
) -> None:
    invite(world)
    users = f"/v1/partners/{world.ids['msp']}/users"
    again = world.call("admin", "POST", users, json={"email": ADA})
    assert again.status_code == 422
    assert again.json()["errors"] == [{"loc": ["email"], "msg": "is already the address of a user"}]
    nobody = "/v1/partners/3f1d5c5e-8e3b-4e0e-9a43-1f5b1b9b1b1b/users"
    assert world.call("admin", "POST", nobody, json={"email": GRACE}).status_code == 404
    bad = world.call("admin", "POST", users, json={"email": GRACE, "role": "owner"})
    assert bad.status_code == 422
    answer = world.call("admin", "POST", users, json={"email": GRACE})
    assert answer.status_code == 201
    assert answer.json()["role"] == "member"
    assert "sign-in" not in answer.text  # the link goes only by email
