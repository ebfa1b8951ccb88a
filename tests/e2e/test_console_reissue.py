"""**Reissue link** in the Pending tab: the owner's POST (with the CSRF token) replaces
the link; a refusal is the domain's reason on a page."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient

from tests.e2e.conftest import World
from tests.e2e.console import PENDING, activate, browser, csrf_of, msp, sign_in

__all__ = ["msp"]  # a fixture
BROWSER = {"Accept": "text/html"}


def link_of(world: World, customer_id: str) -> str:
    answer = world.call("msp", "GET", f"/v1/customers/{customer_id}/activation-link")
    return str(answer.json()["url"])


def reissue(client: TestClient, customer_id: str, csrf: str | None) -> httpx.Response:
    data = {} if csrf is None else {"csrf_token": csrf}
    return client.post(
        f"/console/customers/{customer_id}/activation-link",
        data=data,
        headers=BROWSER,
        follow_redirects=False,
    )


def test_the_owner_reissues_a_link_and_the_old_one_stops_working(msp: World) -> None:
    cid = msp.customer()["id"]
    old = link_of(msp, cid)
    page = msp.client.get(PENDING).text
    assert 'aria-label="Reissue link for Contoso">Reissue link</button>' in page
    answer = reissue(msp.client, cid, csrf_of(page))
    assert answer.status_code == 303
    assert answer.headers["location"] == PENDING
    new = link_of(msp, cid)
    assert new != old
    assert f'data-copy="{new}"' in msp.client.get(PENDING).text
    assert msp.client.get(old.split("8000", 1)[1]).status_code == 410


def test_reissue_without_the_csrf_token_changes_nothing(msp: World) -> None:
    cid = msp.customer()["id"]
    old = link_of(msp, cid)
    assert reissue(msp.client, cid, None).status_code == 403
    assert link_of(msp, cid) == old


def test_an_activated_customer_has_no_reissue_button_and_a_reissue_is_refused(
    msp: World,
) -> None:
    cid = msp.customer()["id"]
    activate(msp, cid)
    page = msp.client.get(PENDING).text
    assert "Reissue link" not in page
    answer = reissue(msp.client, cid, csrf_of(page))
    assert answer.status_code == 409
    assert answer.headers["content-type"].startswith("text/html")
    assert "Traceback" not in answer.text


def test_only_the_owner_may_reissue(world: World) -> None:
    cid = world.customer()["id"]
    old = link_of(world, cid)
    distributor = browser(world)
    csrf = sign_in(distributor, world.keys["dist"])
    assert "Reissue link" not in distributor.get(PENDING).text
    answer = reissue(distributor, cid, csrf)
    assert answer.status_code == 403
    assert link_of(world, cid) == old
