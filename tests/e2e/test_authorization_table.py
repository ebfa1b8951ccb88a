"""Every route x every principal -> the status the contract and domain rules expect."""

from __future__ import annotations

from typing import Any

import pytest

from api.policy import ALLOWED
from tests.e2e.conftest import SKU, World

PRINCIPALS = ["msp", "other_msp", "dist", "other_dist", "importer", "auditor", "admin", "anon"]
ADMIN_ONLY = dict.fromkeys(PRINCIPALS, 403) | {"admin": 201, "anon": 401}
NO_KEY = "0123456789abcdef"
NEW_CUSTOMER = {"organization_name": "Fabrikam", "notification_email": "a@b.example", "sku": SKU}


def refused(**overrides: int) -> dict[str, int]:
    """403 for every principal, 401 for the anonymous caller, unless overridden."""
    return dict.fromkeys(PRINCIPALS, 403) | {"anon": 401} | overrides


READ_CUSTOMER = refused(msp=200, other_msp=404, dist=200, other_dist=404, auditor=200, admin=200)
OWNER_ONLY = {"other_msp": 404, "other_dist": 404}
EVERYONE = dict.fromkeys(PRINCIPALS, 200)
LISTS = refused(msp=200, other_msp=200, dist=200, other_dist=200, auditor=200, admin=200)
# A public address, literally (nothing to resolve), for a type no test here records: no
# delivery is ever attempted.
ENDPOINT = {"url": "https://93.184.216.34/hooks", "event_types": ["customer.trial_expired"]}
MSPS_ENDPOINT = refused(msp=200, other_msp=404, dist=404, other_dist=404, admin=200)
NO_DELIVERY = refused(msp=404, other_msp=404, dist=404, other_dist=404, admin=404)

# (route name in api/policy.py or None, method, path, body, expected status by principal)
TABLE: list[tuple[str | None, str, str, Any, dict[str, int]]] = [
    (None, "GET", "/healthz", None, EVERYONE),
    (None, "GET", "/readyz", None, EVERYONE),
    (None, "GET", "/metrics", None, EVERYONE),
    (
        "read_catalogue",
        "GET",
        "/v1/catalogue",
        None,
        refused(**dict.fromkeys(PRINCIPALS[:-1], 200)),
    ),
    ("register_partner", "POST", "/v1/partners", {"name": "P", "kind": "msp"}, ADMIN_ONLY),
    ("read_partner", "GET", "/v1/partners/{msp}", None, refused(admin=200)),
    (
        "change_partner_status",
        "PATCH",
        "/v1/partners/{msp}",
        {"status": "trial"},
        refused(admin=200),
    ),
    ("issue_partner_key", "POST", "/v1/partners/{msp}/api-keys", None, ADMIN_ONLY),
    ("issue_service_key", "POST", "/v1/service-keys", {"role": "auditor", "name": "a"}, ADMIN_ONLY),
    ("list_partners", "GET", "/v1/partners", None, LISTS),
    (
        "list_partner_keys",
        "GET",
        "/v1/partners/{msp}/api-keys",
        None,
        refused(msp=200, admin=200, other_msp=404, dist=404, other_dist=404),
    ),
    (
        "revoke_partner_key",
        "DELETE",
        f"/v1/partners/{{msp}}/api-keys/{NO_KEY}",
        None,
        refused(msp=404, admin=404, other_msp=404, dist=404, other_dist=404),
    ),
    ("list_service_keys", "GET", "/v1/service-keys", None, refused(admin=200)),
    ("revoke_service_key", "DELETE", f"/v1/service-keys/{NO_KEY}", None, refused(admin=404)),
    ("invite_user", "POST", "/v1/partners/{msp}/users", {"email": "ada@msp.example"}, ADMIN_ONLY),
    (
        "add_customer",
        "POST",
        "/v1/customers",
        NEW_CUSTOMER,
        refused(msp=201, other_msp=201, dist=201, other_dist=201, admin=422),
    ),
    ("list_pending_customers", "GET", "/v1/customers/pending", None, LISTS),
    ("list_customers", "GET", "/v1/customers", None, LISTS),
    ("read_customer", "GET", "/v1/customers/{cid}", None, READ_CUSTOMER),
    ("customer_history", "GET", "/v1/customers/{cid}/history", None, READ_CUSTOMER),
    (
        "read_activation_link",
        "GET",
        "/v1/customers/{cid}/activation-link",
        None,
        refused(msp=200, **OWNER_ONLY),
    ),
    (
        "reissue_activation_link",
        "POST",
        "/v1/customers/{cid}/activation-link",
        None,
        refused(msp=201, **OWNER_ONLY),
    ),
    (
        "log_import_message",
        "POST",
        "/v1/customers/{cid}/import/log",
        {"level": "info", "message": "m"},
        refused(importer=409),
    ),
    (
        "record_import_failure",
        "POST",
        "/v1/customers/{cid}/import/failures",
        {"code": "C", "message": "m"},
        refused(importer=409),
    ),
    (
        "complete_import",
        "POST",
        "/v1/customers/{cid}/import/completion",
        None,
        refused(importer=409),
    ),
    (
        "extend_trial",
        "POST",
        "/v1/customers/{cid}/extend-trial",
        None,
        refused(msp=409, **OWNER_ONLY),
    ),
    (
        "set_automatic_upgrade",
        "PUT",
        "/v1/customers/{cid}/automatic-upgrade",
        {"enabled": False},
        refused(msp=200, **OWNER_ONLY),
    ),
    (
        "convert_to_production",
        "POST",
        "/v1/customers/{cid}/convert-to-production",
        {"expiration_date": "2030-01-01"},
        refused(msp=409, **OWNER_ONLY),
    ),
    (
        "change_subscription",
        "PATCH",
        "/v1/customers/{cid}/subscription",
        {"addons": ["AUDIT"]},
        refused(msp=200, **OWNER_ONLY),
    ),
    (
        "erase_personal_data",
        "POST",
        "/v1/customers/{cid}/erasure",
        {"reason": "asked"},
        refused(msp=200, admin=200, **OWNER_ONLY),
    ),
    (
        "read_personal_data",
        "GET",
        "/v1/customers/{cid}/personal-data",
        None,
        refused(msp=200, auditor=200, admin=200, **OWNER_ONLY),
    ),
    ("trial_analytics", "GET", "/v1/analytics/trials", None, LISTS),
    ("read_test_clock", "GET", "/v1/test-clock", None, refused(admin=200)),
    ("advance_test_clock", "POST", "/v1/test-clock/advance", {"seconds": 1}, refused(admin=200)),
    (
        "create_webhook_endpoint",
        "POST",
        "/v1/webhook-endpoints",
        ENDPOINT,
        refused(msp=201, other_msp=201, dist=201, other_dist=201, admin=422),
    ),
    (
        "list_webhook_endpoints",
        "GET",
        "/v1/webhook-endpoints",
        None,
        refused(msp=200, other_msp=200, dist=200, other_dist=200, admin=200),
    ),
    ("read_webhook_endpoint", "GET", "/v1/webhook-endpoints/{wid}", None, MSPS_ENDPOINT),
    (
        "change_webhook_endpoint",
        "PATCH",
        "/v1/webhook-endpoints/{wid}",
        {"description": "CRM"},
        MSPS_ENDPOINT,
    ),
    (
        "delete_webhook_endpoint",
        "DELETE",
        "/v1/webhook-endpoints/{wid}",
        None,
        MSPS_ENDPOINT | {"msp": 204, "admin": 204},
    ),
    (
        "rotate_webhook_secret",
        "POST",
        "/v1/webhook-endpoints/{wid}/secret/rotate",
        None,
        MSPS_ENDPOINT,
    ),
    (
        "retire_webhook_secrets",
        "POST",
        "/v1/webhook-endpoints/{wid}/secret/retire",
        None,
        MSPS_ENDPOINT,
    ),
    (
        "list_webhook_deliveries",
        "GET",
        "/v1/webhook-endpoints/{wid}/deliveries",
        None,
        MSPS_ENDPOINT,
    ),
    (
        "redeliver_webhook",
        "POST",
        "/v1/webhook-deliveries/msg_00000000000000000000000000000000/redeliver",
        None,
        NO_DELIVERY,
    ),
    ("list_events", "GET", "/v1/events", None, LISTS),
    (None, "GET", "/activate/{token}", None, EVERYONE),
    (None, "POST", "/activate/{token}", None, EVERYONE),
]


def msps_endpoint(world: World, path: str) -> str:
    """The id of a webhook endpoint of the MSP, when ``path`` names one."""
    if "{wid}" not in path:
        return ""
    response = world.call("msp", "POST", "/v1/webhook-endpoints", json=ENDPOINT)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize(
    ("route", "method", "path", "body", "expected"),
    TABLE,
    ids=[f"{method} {path}" for _, method, path, _, _ in TABLE],
)
def test_each_principal_gets_the_expected_status(
    world: World,
    route: str | None,
    method: str,
    path: str,
    body: Any,
    expected: dict[str, int],
    principal: str,
) -> None:
    customer = world.customer()
    link = world.call("msp", "GET", f"/v1/customers/{customer['id']}/activation-link").json()
    token = link["url"].rsplit("/", 1)[1]
    wid = msps_endpoint(world, path)
    url = path.format(cid=customer["id"], msp=world.ids["msp"], token=token, wid=wid)
    response = world.call(principal, method, url, json=body)
    assert response.status_code == expected[principal], response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json"


def test_the_table_covers_every_route_of_the_policy() -> None:
    assert {route for route, *_ in TABLE if route} == set(ALLOWED)


def current_token(world: World, customer_id: str) -> str:
    link = world.call("msp", "GET", f"/v1/customers/{customer_id}/activation-link").json()
    return str(link["url"].rsplit("/", 1)[1])


@pytest.mark.parametrize("principal", [p for p in PRINCIPALS if p != "msp"])
def test_no_route_gives_an_activation_link_to_anyone_but_the_owner(
    world: World, principal: str
) -> None:
    customer = world.customer()
    for _, method, path, body, _ in TABLE:
        before = current_token(world, customer["id"])
        wid = msps_endpoint(world, path)
        url = path.format(cid=customer["id"], msp=world.ids["msp"], token=before, wid=wid)
        response = world.call(principal, method, url, json=body)
        answer = response.text + repr(response.headers)
        for token in {before, current_token(world, customer["id"])}:
            assert token not in answer or path.startswith("/activate/"), (method, path)
            assert token.rsplit(".", 1)[1] not in answer, (method, path)


@pytest.mark.parametrize(
    ("principal", "gets_the_link"),
    [("msp", True), ("dist", False), ("auditor", False), ("admin", False)],
)
def test_the_pending_list_gives_each_link_to_the_owner_alone(
    world: World, principal: str, gets_the_link: bool
) -> None:
    customer = world.customer()
    link = world.call("msp", "GET", f"/v1/customers/{customer['id']}/activation-link").json()
    items = world.call(principal, "GET", "/v1/customers/pending").json()["items"]
    [item] = [i for i in items if i["id"] == customer["id"]]
    assert item["activation_url"] == (link["url"] if gets_the_link else None)
