"""The activation link: copied, reissued, confirmed by GET (no effect), activated by POST."""

from __future__ import annotations

from datetime import timedelta

from tests.e2e.conftest import World


def path_of(url: str) -> str:
    return url.split("8000", 1)[1]


def test_the_page_has_a_form_and_activates_nothing(world: World) -> None:
    cid = world.customer()["id"]
    link = world.call("msp", "GET", f"/v1/customers/{cid}/activation-link").json()
    page = world.client.get(path_of(link["url"]))
    assert page.status_code == 200
    assert '<form method="post">' in page.text
    assert (
        world.call("msp", "GET", f"/v1/customers/{cid}").json()["onboarding"]["activated_at"]
        is None
    )
    activated = world.client.post(path_of(link["url"]))
    assert activated.status_code == 200
    assert activated.json()["customer_id"] == cid
    again = world.client.post(path_of(link["url"]))
    assert again.json()["activated_at"] == activated.json()["activated_at"]


def test_a_reissued_link_retires_the_old_one_with_410(world: World) -> None:
    cid = world.customer()["id"]
    old = world.call("msp", "GET", f"/v1/customers/{cid}/activation-link").json()
    new = world.call("msp", "POST", f"/v1/customers/{cid}/activation-link")
    assert new.status_code == 201
    assert new.json()["url"] != old["url"]
    gone = world.client.get(path_of(old["url"]))
    assert gone.status_code == 410
    assert gone.json()["type"].endswith("/link-expired")
    assert world.client.get(path_of(new.json()["url"])).status_code == 200


def test_an_expired_link_gets_410_and_an_unknown_one_404(world: World) -> None:
    cid = world.customer()["id"]
    link = world.call("msp", "GET", f"/v1/customers/{cid}/activation-link").json()
    world.clock.advance(timedelta(days=7))
    assert world.client.post(path_of(link["url"])).status_code == 410
    assert world.client.get("/activate/not-a-token").status_code == 404
    forged = path_of(link["url"])[:-3] + "abc"
    assert world.client.get(forged).status_code == 404
