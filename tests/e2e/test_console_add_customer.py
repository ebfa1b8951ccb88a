"""**Add customer** in the console: the Action menu, the form, errors next to their
fields with nothing typed lost, and Apply putting the customer in the Pending tab."""

from __future__ import annotations

from tests.e2e.conftest import World
from tests.e2e.console import PAGE, PENDING, browser, csrf_of, msp, organizations, sign_in

__all__ = ["msp"]  # a fixture
NEW = "/console/customers/new"
SKU = "ESSENTIALS_MSP_2025"


def apply(world: World, **fields: object) -> tuple[int, str]:
    csrf = csrf_of(world.client.get(NEW).text)
    body = {"csrf_token": csrf, "organization_name": "Contoso", **fields}
    answer = world.client.post(NEW, data=body, follow_redirects=False)
    return answer.status_code, answer.headers.get("location") or answer.text


def test_the_action_menu_holds_add_customer_for_a_partner(msp: World) -> None:
    page = msp.client.get(PAGE).text
    assert ">Action</summary>" in page
    assert '<a href="/console/customers/new">Add customer</a>' in page


def test_the_form_has_the_fields_and_the_catalogue(msp: World) -> None:
    page = msp.client.get(NEW).text
    for label in ("Organization name", "Notification email", "SKU"):
        assert f">{label}</label>" in page
    assert "<legend>Add-ons</legend>" in page
    assert f'<option value="{SKU}">' in page
    assert 'value="DELEGATION"' in page
    assert ">Apply</button>" in page


def test_apply_adds_the_customer_to_the_pending_tab(msp: World) -> None:
    status, location = apply(
        msp, notification_email="it@contoso.example", sku=SKU, addons=["AUDIT", "DELEGATION"]
    )
    assert (status, location) == (303, PENDING)
    assert organizations(msp.client.get(PENDING).text) == ["Contoso"]
    listed = msp.call("msp", "GET", "/v1/customers/pending").json()["items"]
    assert [(c["organization_name"], c["addons"]) for c in listed] == [
        ("Contoso", ["AUDIT", "DELEGATION"])
    ]


def test_errors_show_next_to_their_fields_and_keep_what_was_typed(msp: World) -> None:
    status, page = apply(
        msp, organization_name="  ", notification_email="not an email", addons=["AUDIT"]
    )
    assert status == 422
    assert '<small id="organization_name-error" class="error">must not be blank</small>' in page
    assert 'id="notification_email-error"' in page
    assert '<small id="sku-error" class="error">choose one SKU</small>' in page
    assert 'value="not an email"' in page
    assert 'value="AUDIT" checked' in page
    assert 'aria-describedby="notification_email-error"' in page
    assert msp.call("msp", "GET", "/v1/customers/pending").json()["items"] == []


def test_apply_without_the_csrf_token_adds_nothing(msp: World) -> None:
    answer = msp.client.post(
        NEW, data={"organization_name": "Contoso", "notification_email": "a@b.example"}
    )
    assert answer.status_code == 403
    assert msp.call("msp", "GET", "/v1/customers/pending").json()["items"] == []


def test_typed_markup_is_kept_as_text(msp: World) -> None:
    status, page = apply(msp, organization_name='"><script>x</script>', sku=SKU)
    assert status == 422  # no email
    assert 'value="&#34;&gt;&lt;script&gt;x&lt;/script&gt;"' in page
    assert "<script>x" not in page


def test_the_auditor_gets_no_action_menu_and_no_form(world: World) -> None:
    auditor = browser(world)
    sign_in(auditor, world.keys["auditor"])
    assert ">Action</summary>" not in auditor.get(PAGE).text
    assert auditor.get(NEW).status_code == 403
