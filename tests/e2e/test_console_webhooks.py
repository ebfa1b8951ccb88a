"""The console's **Webhooks** page over TestClient: a partner's endpoints listed, added
(the secret shown once), enabled and disabled, their secret rotated, deleted after a
confirm step; the last deliveries with their status code and timing, and **Redeliver**.
Another partner's endpoint is not found, every form needs its CSRF token, and what a
partner writes is escaped."""

from __future__ import annotations

import re
import time
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from domain.webhook_types import EVENT_TYPES
from tests.e2e.conftest import World
from tests.e2e.console import browser, csrf_of, sign_in
from tests.support.outbox import last_sign_in_link
from tests.support.principals import ADMIN_TOKEN
from tests.support.receiver import Receiver

PAGE = "/console/webhooks"
SECRET = re.compile(r'id="secret-value">(whsec_[^<]+)<')
ENDPOINT = re.compile(r'href="/console/webhooks/([0-9a-f-]{36})"')


@pytest.fixture
def insecure() -> bool:
    """Whether http:// and loopback URLs are allowed (the receiver is on loopback)."""
    return True


@pytest.fixture
def service_settings(insecure: bool) -> dict[str, object]:
    return {"webhooks_allow_insecure": insecure}


def add(client: TestClient, url: str, **fields: object) -> tuple[str, str]:
    """Adds an endpoint on the page; its id and the secret the answer shows."""
    before = client.get(PAGE).text
    answer = client.post(PAGE, data={"csrf_token": csrf_of(before), "url": url, **fields})
    assert answer.status_code == 201, answer.text
    assert answer.headers["cache-control"] == "no-store"
    secret = SECRET.search(answer.text)
    assert secret, "the answer shows no secret"
    [new] = set(ENDPOINT.findall(answer.text)) - set(ENDPOINT.findall(before))
    return new, unescape(secret.group(1))


def post(client: TestClient, path: str, **fields: str) -> object:
    token = csrf_of(client.get(PAGE).text)
    return client.post(path, data={"csrf_token": token, **fields}, follow_redirects=False)


def test_given_a_partner_then_the_nav_links_the_page_and_it_lists_no_endpoint(
    world: World,
) -> None:
    sign_in(world.client, world.keys["msp"])
    page = world.client.get("/console/customers").text
    assert '<a href="/console/webhooks">Webhooks</a>' in page
    listed = world.client.get(PAGE)
    assert listed.status_code == 200
    assert "No endpoints yet." in listed.text
    for event_type in EVENT_TYPES:
        assert f'name="event_types" value="{event_type}"' in listed.text
    assert len(EVENT_TYPES) == 16  # the 15 of the lifecycle, and personal_data_erased


def test_given_an_auditor_then_there_is_no_link_and_the_page_says_why(world: World) -> None:
    sign_in(world.client, world.keys["auditor"])
    assert 'href="/console/webhooks"' not in world.client.get("/console/customers").text
    answer = world.client.get(PAGE)
    assert answer.status_code == 403
    assert "belong to a partner" in answer.text


def test_when_a_partner_adds_an_endpoint_then_its_secret_shows_once_and_it_is_listed(
    world: World, receiver: Receiver
) -> None:
    sign_in(world.client, world.keys["msp"])
    endpoint_id, secret = add(
        world.client,
        receiver.url,
        description="billing",
        event_types=["customer.created", "customer.onboarded"],
    )
    assert secret.startswith("whsec_")
    listed = world.client.get(PAGE).text
    assert secret not in listed  # shown once
    assert receiver.url in listed
    assert "customer.created, customer.onboarded" in listed
    assert "billing" in listed
    assert "enabled" in listed
    [endpoint] = world.call("msp", "GET", "/v1/webhook-endpoints").json()["items"][:1]
    assert endpoint["id"] == endpoint_id


def test_given_the_secret_shown_then_a_copy_button_holds_it(
    world: World, receiver: Receiver
) -> None:
    sign_in(world.client, world.keys["msp"])
    token = csrf_of(world.client.get(PAGE).text)
    answer = world.client.post(PAGE, data={"csrf_token": token, "url": receiver.url})
    secret = SECRET.search(answer.text)
    assert secret
    assert f'data-copy="{secret.group(1)}"' in answer.text
    assert ">Copy</button>" in answer.text


@pytest.mark.parametrize("insecure", [False])
def test_given_an_http_url_without_the_insecure_setting_then_it_is_refused_next_to_the_field(
    world: World,
) -> None:
    sign_in(world.client, world.keys["msp"])
    token = csrf_of(world.client.get(PAGE).text)
    answer = world.client.post(
        PAGE, data={"csrf_token": token, "url": "http://127.0.0.1:9/hooks", "description": "x"}
    )
    assert answer.status_code == 422
    assert 'id="url-error"' in answer.text
    assert "must be https://" in answer.text
    assert 'aria-describedby="url-error"' in answer.text
    assert 'value="http://127.0.0.1:9/hooks"' in answer.text  # kept to correct
    assert world.call("msp", "GET", "/v1/webhook-endpoints").json()["items"] == []


def test_given_a_description_with_markup_then_it_is_shown_as_text(
    world: World, receiver: Receiver
) -> None:
    sign_in(world.client, world.keys["msp"])
    endpoint_id, _ = add(world.client, receiver.url, description="<script>alert(1)</script>")
    for path in (
        PAGE,
        f"{PAGE}/{endpoint_id}",
        f"{PAGE}/{endpoint_id}/deletion",
        f"{PAGE}/{endpoint_id}/edit",
    ):
        page = world.client.get(path).text
        assert "<script>alert(1)</script>" not in page, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, path


def test_when_an_endpoint_is_disabled_and_enabled_then_the_list_says_so(
    world: World, receiver: Receiver
) -> None:
    sign_in(world.client, world.keys["msp"])
    endpoint_id, _ = add(world.client, receiver.url)
    answer = post(world.client, f"{PAGE}/{endpoint_id}/enabled", enabled="no")
    assert answer.status_code == 303  # type: ignore[attr-defined]
    page = world.client.get(PAGE + "?note=disabled").text
    assert "The endpoint was disabled" in page
    assert "Enable " in page
    assert world.call("msp", "GET", f"/v1/webhook-endpoints/{endpoint_id}").json()["disabled"]
    post(world.client, f"{PAGE}/{endpoint_id}/enabled", enabled="yes")
    one = world.call("msp", "GET", f"/v1/webhook-endpoints/{endpoint_id}").json()
    assert one["disabled"] is False


def test_when_the_secret_is_rotated_then_the_new_one_shows_once(
    world: World, receiver: Receiver
) -> None:
    sign_in(world.client, world.keys["msp"])
    endpoint_id, first = add(world.client, receiver.url)
    answer = post(world.client, f"{PAGE}/{endpoint_id}/secret")
    assert answer.status_code == 200  # type: ignore[attr-defined]
    text = answer.text  # type: ignore[attr-defined]
    assert answer.headers["cache-control"] == "no-store"  # type: ignore[attr-defined]
    found = SECRET.search(text)
    assert found
    assert found.group(1) != first
    assert "The new signing secret" in text
    assert found.group(1) not in world.client.get(PAGE).text
    one = world.call("msp", "GET", f"/v1/webhook-endpoints/{endpoint_id}").json()
    assert len(one["secrets"]) == 2  # the old one signs beside it


def test_when_the_secret_is_rotated_then_the_previous_one_can_be_retired_before_its_24_hours(
    world: World, receiver: Receiver
) -> None:
    sign_in(world.client, world.keys["msp"])
    endpoint_id, _ = add(world.client, receiver.url)
    assert "Retire previous secret" not in world.client.get(PAGE).text  # nothing to retire
    post(world.client, f"{PAGE}/{endpoint_id}/secret")
    listed = world.client.get(PAGE).text
    assert f'action="/console/webhooks/{endpoint_id}/secret/retirement"' in listed
    assert "previous secret signs until" in listed
    assert "the previous one until" in world.client.get(f"{PAGE}/{endpoint_id}").text

    answer = post(world.client, f"{PAGE}/{endpoint_id}/secret/retirement", back="endpoint")

    assert answer.status_code == 303  # type: ignore[attr-defined]
    assert answer.headers["location"] == f"{PAGE}/{endpoint_id}?note=retired"  # type: ignore[attr-defined]
    page = world.client.get(f"{PAGE}/{endpoint_id}?note=retired").text
    assert "The previous secret was retired" in page
    assert "Retire previous secret" not in page
    assert "Retire previous secret" not in world.client.get(PAGE).text
    one = world.call("msp", "GET", f"/v1/webhook-endpoints/{endpoint_id}").json()
    assert len(one["secrets"]) == 1
    elsewhere = post(world.client, f"{PAGE}/{endpoint_id}/secret/retirement", back="//evil.example")
    assert elsewhere.headers["location"] == f"{PAGE}?note=retired"  # type: ignore[attr-defined]


def test_when_an_endpoint_is_edited_then_every_field_is_saved_and_the_page_shows_it(
    world: World, receiver: Receiver
) -> None:
    sign_in(world.client, world.keys["msp"])
    endpoint_id, _ = add(
        world.client, receiver.url, description="billing", event_types=["customer.created"]
    )
    form = world.client.get(f"{PAGE}/{endpoint_id}/edit")
    assert form.status_code == 200
    assert f'value="{receiver.url}"' in form.text
    assert 'value="customer.created" checked' in form.text
    assert 'value="billing"' in form.text
    assert 'name="disabled" value="yes" aria-describedby="disabled-help">' in form.text

    answer = post(
        world.client,
        f"{PAGE}/{endpoint_id}/edit",
        url=receiver.url + "/v2",
        description="billing v2",
        event_types=["customer.onboarded", "customer.trial_extended"],  # type: ignore[arg-type]
        disabled="yes",
    )

    assert answer.status_code == 303  # type: ignore[attr-defined]
    assert answer.headers["location"] == f"{PAGE}/{endpoint_id}?note=changed"  # type: ignore[attr-defined]
    page = world.client.get(f"{PAGE}/{endpoint_id}?note=changed").text
    assert "The endpoint was saved." in page
    assert "customer.onboarded, customer.trial_extended" in page
    one = world.call("msp", "GET", f"/v1/webhook-endpoints/{endpoint_id}").json()
    assert (one["url"], one["description"], one["disabled"]) == (
        receiver.url + "/v2",
        "billing v2",
        True,
    )
    assert one["event_types"] == ["customer.onboarded", "customer.trial_extended"]
    post(world.client, f"{PAGE}/{endpoint_id}/edit", url=one["url"], description="")
    again = world.call("msp", "GET", f"/v1/webhook-endpoints/{endpoint_id}").json()
    assert (again["disabled"], again["event_types"], again["description"]) == (False, [], "")


@pytest.mark.parametrize("insecure", [False])
def test_given_an_edit_to_an_inside_url_then_it_is_refused_next_to_the_field_and_nothing_saved(
    world: World,
) -> None:
    sign_in(world.client, world.keys["msp"])
    created = world.call(
        "msp", "POST", "/v1/webhook-endpoints", json={"url": "https://93.184.216.34/hooks"}
    )
    assert created.status_code == 201, created.text
    endpoint = created.json()

    answer = post(
        world.client,
        f"{PAGE}/{endpoint['id']}/edit",
        url="https://169.254.169.254/latest",
        description="<b>moved</b>",
    )

    assert answer.status_code == 422  # type: ignore[attr-defined]
    text = answer.text  # type: ignore[attr-defined]
    assert 'id="url-error"' in text
    assert 'aria-describedby="url-error"' in text
    assert 'value="https://169.254.169.254/latest"' in text  # kept to correct
    assert "&lt;b&gt;moved&lt;/b&gt;" in text
    assert "Nothing was saved" in text
    one = world.call("msp", "GET", f"/v1/webhook-endpoints/{endpoint['id']}").json()
    assert (one["url"], one["description"]) == ("https://93.184.216.34/hooks", "")


def test_when_an_endpoint_is_deleted_then_a_confirm_step_comes_first(
    world: World, receiver: Receiver
) -> None:
    sign_in(world.client, world.keys["msp"])
    endpoint_id, _ = add(world.client, receiver.url, description="CRM")
    confirm = world.client.get(f"{PAGE}/{endpoint_id}/deletion")
    assert confirm.status_code == 200
    assert "Delete endpoint" in confirm.text
    assert f'action="/console/webhooks/{endpoint_id}/deletion"' in confirm.text
    assert world.call("msp", "GET", f"/v1/webhook-endpoints/{endpoint_id}").status_code == 200
    answer = post(world.client, f"{PAGE}/{endpoint_id}/deletion")
    assert answer.status_code == 303  # type: ignore[attr-defined]
    assert "The endpoint was deleted" in world.client.get(PAGE + "?note=deleted").text
    assert world.call("msp", "GET", f"/v1/webhook-endpoints/{endpoint_id}").status_code == 404
    assert world.client.get(f"{PAGE}/{endpoint_id}").status_code == 404


def test_given_a_delivery_then_its_status_code_and_timing_show_and_it_can_be_redelivered(
    world: World, receiver: Receiver
) -> None:
    sign_in(world.client, world.keys["msp"])
    endpoint_id, secret = add(world.client, receiver.url, event_types=["customer.created"])
    receiver.secrets = [secret]
    world.customer()
    [first] = receiver.wait_for(1)
    page = world.client.get(f"{PAGE}/{endpoint_id}").text
    for _ in range(100):  # the attempt is recorded just after the receiver answers
        if '<td class="status-code">200</td>' in page:
            break
        time.sleep(0.05)
        page = world.client.get(f"{PAGE}/{endpoint_id}").text
    assert '<td class="status-code">200</td>' in page
    assert re.search(r"<td>\d+ ms</td>", page)
    assert first.id in page
    answer = post(world.client, f"{PAGE}/deliveries/{first.id}/redelivery")
    assert answer.status_code == 303  # type: ignore[attr-defined]
    assert answer.headers["location"].startswith(f"{PAGE}/{endpoint_id}?note=redelivered")  # type: ignore[attr-defined]
    got = receiver.wait_for(2)
    assert [r.id for r in got] == [first.id, first.id]  # the same webhook-id


def test_given_a_disabled_endpoint_then_redeliver_says_why_not(
    world: World, receiver: Receiver
) -> None:
    sign_in(world.client, world.keys["msp"])
    endpoint_id, secret = add(world.client, receiver.url, event_types=["customer.created"])
    receiver.secrets = [secret]
    world.customer()
    [first] = receiver.wait_for(1)
    post(world.client, f"{PAGE}/{endpoint_id}/enabled", enabled="no")
    answer = post(world.client, f"{PAGE}/deliveries/{first.id}/redelivery")
    assert answer.status_code == 409  # type: ignore[attr-defined]
    assert "enable it before redelivering" in answer.text  # type: ignore[attr-defined]


def test_given_another_partners_endpoint_then_every_page_and_action_is_not_found(
    world: World, receiver: Receiver
) -> None:
    sign_in(world.client, world.keys["msp"])
    endpoint_id, secret = add(world.client, receiver.url, event_types=["customer.created"])
    receiver.secrets = [secret]
    world.customer()
    [first] = receiver.wait_for(1)
    other = browser(world)
    sign_in(other, world.keys["other_msp"])
    assert receiver.url not in other.get(PAGE).text
    assert other.get(f"{PAGE}/{endpoint_id}").status_code == 404
    assert other.get(f"{PAGE}/{endpoint_id}/deletion").status_code == 404
    assert other.get(f"{PAGE}/{endpoint_id}/edit").status_code == 404
    for path, fields in (
        (f"{PAGE}/{endpoint_id}/enabled", {"enabled": "no"}),
        (f"{PAGE}/{endpoint_id}/edit", {"url": receiver.url + "/x", "disabled": "yes"}),
        (f"{PAGE}/{endpoint_id}/secret/retirement", {}),
        (f"{PAGE}/{endpoint_id}/secret", {}),
        (f"{PAGE}/{endpoint_id}/deletion", {}),
        (f"{PAGE}/deliveries/{first.id}/redelivery", {}),
    ):
        answer = post(other, path, **fields)
        assert answer.status_code == 404, path  # type: ignore[attr-defined]
    one = world.call("msp", "GET", f"/v1/webhook-endpoints/{endpoint_id}").json()
    assert one["disabled"] is False
    assert len(one["secrets"]) == 1


def test_given_the_admin_then_every_partners_endpoint_is_listed_and_it_adds_for_a_partner(
    world: World, receiver: Receiver
) -> None:
    sign_in(world.client, world.keys["msp"])
    add(world.client, receiver.url, description="msp's")
    admin = browser(world)
    sign_in(admin, ADMIN_TOKEN)
    assert '<a href="/console/webhooks">Webhooks</a>' in admin.get("/console/customers").text
    page = admin.get(PAGE).text
    assert "msp&#39;s" in page
    assert "Partner ID" in page
    endpoint_id, _ = add(admin, receiver.url, partner_id=world.ids["other_msp"])
    listed = world.call("other_msp", "GET", "/v1/webhook-endpoints").json()["items"]
    assert [e["id"] for e in listed] == [endpoint_id]
    token = csrf_of(admin.get(PAGE).text)
    answer = admin.post(PAGE, data={"csrf_token": token, "url": receiver.url, "partner_id": "x"})
    assert answer.status_code == 422
    assert 'id="partner_id-error"' in answer.text


def test_given_no_csrf_token_then_no_form_changes_anything(
    world: World, receiver: Receiver
) -> None:
    sign_in(world.client, world.keys["msp"])
    endpoint_id, secret = add(world.client, receiver.url, event_types=["customer.created"])
    receiver.secrets = [secret]
    world.customer()
    [first] = receiver.wait_for(1)
    for path, fields in (
        (PAGE, {"url": receiver.url}),
        (f"{PAGE}/{endpoint_id}/enabled", {"enabled": "no"}),
        (f"{PAGE}/{endpoint_id}/edit", {"url": receiver.url + "/x", "disabled": "yes"}),
        (f"{PAGE}/{endpoint_id}/secret/retirement", {}),
        (f"{PAGE}/{endpoint_id}/secret", {}),
        (f"{PAGE}/{endpoint_id}/deletion", {}),
        (f"{PAGE}/deliveries/{first.id}/redelivery", {}),
    ):
        for token in ({}, {"csrf_token": "forged"}):
            answer = world.client.post(path, data={**fields, **token}, follow_redirects=False)
            assert answer.status_code == 403, path
            assert "This form has expired" in answer.text
    listed = world.call("msp", "GET", "/v1/webhook-endpoints").json()["items"]
    assert [(e["id"], e["disabled"], len(e["secrets"])) for e in listed] == [
        (endpoint_id, False, 1)
    ]
    assert len(receiver.received) == 1


def test_given_a_person_of_the_partner_then_they_have_the_page_and_add_for_their_partner(
    world: World, receiver: Receiver, tmp_path: Path
) -> None:
    email = "ada@msp.example"
    body = {"email": email, "name": "Ada Lovelace", "role": "member"}
    invited = world.call("admin", "POST", f"/v1/partners/{world.ids['msp']}/users", json=body)
    assert invited.status_code == 201, invited.text
    link = urlsplit(last_sign_in_link(tmp_path / "outbox", email)).path
    assert world.client.post(link, follow_redirects=False).status_code == 303
    assert '<a href="/console/webhooks">Webhooks</a>' in world.client.get("/console/customers").text
    endpoint_id, _ = add(world.client, receiver.url, description="Ada's CRM")
    listed = world.call("msp", "GET", "/v1/webhook-endpoints").json()["items"]
    assert [(e["id"], e["description"]) for e in listed] == [(endpoint_id, "Ada's CRM")]


def test_given_an_alert_email_then_it_is_kept_shown_changed_and_removed(
    world: World, receiver: Receiver
) -> None:
    # Given a partner who adds an endpoint with an alert address
    sign_in(world.client, world.keys["msp"])
    endpoint_id, _ = add(world.client, receiver.url, alert_email=" Ops@Example.com ")
    # Then it is kept (normalized) and shown on the endpoint's page and its edit form
    one = world.call("msp", "GET", f"/v1/webhook-endpoints/{endpoint_id}").json()
    assert one["alert_email"] == "Ops@example.com"
    assert "Ops@example.com" in world.client.get(f"{PAGE}/{endpoint_id}").text
    assert 'value="Ops@example.com"' in world.client.get(f"{PAGE}/{endpoint_id}/edit").text

    # When an edit sends an address that is not one
    refused = post(world.client, f"{PAGE}/{endpoint_id}/edit", url=receiver.url, alert_email="ops@")
    # Then it is refused next to the field, and nothing is saved
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert 'id="alert_email-error"' in refused.text  # type: ignore[attr-defined]
    assert 'aria-describedby="alert-help alert_email-error"' in refused.text  # type: ignore[attr-defined]
    kept = world.call("msp", "GET", f"/v1/webhook-endpoints/{endpoint_id}").json()
    assert kept["alert_email"] == "Ops@example.com"

    # When an edit changes it, then one leaves it empty
    post(world.client, f"{PAGE}/{endpoint_id}/edit", url=receiver.url, alert_email="b@example.com")
    changed = world.call("msp", "GET", f"/v1/webhook-endpoints/{endpoint_id}").json()
    post(world.client, f"{PAGE}/{endpoint_id}/edit", url=receiver.url, alert_email="")
    removed = world.call("msp", "GET", f"/v1/webhook-endpoints/{endpoint_id}").json()
    # Then the first is saved, and the second removes it
    assert (changed["alert_email"], removed["alert_email"]) == ("b@example.com", None)
    assert "admin users are told if" in world.client.get(f"{PAGE}/{endpoint_id}").text
