"""The seed's whole story over HTTP against the real server process and a real SMTP server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.principals import ADMIN_TOKEN
from tests.support.server import Server, clock_and_mail_server
from tests.support.smtp import SmtpServer

PRODUCTION = "ESSENTIALS_MSP_2025"


@pytest.fixture
def server(tmp_path: Path, smtp: SmtpServer) -> Iterator[Server]:
    with clock_and_mail_server(tmp_path, smtp.port) as running:
        yield running


class Client:
    def __init__(self, base: str, key: str | None) -> None:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.http = httpx.Client(base_url=base, headers=headers, timeout=60)

    def call(self, method: str, path: str, expect: int, **kwargs: Any) -> Any:
        response = self.http.request(method, path, **kwargs)
        assert response.status_code == expect, (method, path, response.text)
        ctype = response.headers.get("content-type", "")
        return response.json() if "json" in ctype else response.text


def advance(admin: Client, **delta: int) -> None:
    admin.call("POST", "/v1/test-clock/advance", 200, json=delta)


def activation_url(smtp: SmtpServer, address: str) -> str:
    [message] = smtp.inbox.to(address)[-1:]
    body = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    match = re.search(r"https?://\S+/activate/\S+", body)
    assert match, body
    return match.group(0)


def test_the_whole_story(server: Server, smtp: SmtpServer) -> None:
    admin = Client(server.url, ADMIN_TOKEN)
    distributor = admin.call(
        "POST", "/v1/partners", 201, json={"name": "Big Distributor", "kind": "distributor"}
    )
    msp = admin.call(
        "POST",
        "/v1/partners",
        201,
        json={
            "name": "Northwind MSP",
            "kind": "msp",
            "status": "production",
            "distributor_id": distributor["id"],
        },
    )
    trial_msp = admin.call("POST", "/v1/partners", 201, json={"name": "New MSP", "kind": "msp"})
    importer_key = admin.call(
        "POST", "/v1/service-keys", 201, json={"role": "importer", "name": "importer"}
    )["api_key"]
    auditor_key = admin.call(
        "POST", "/v1/service-keys", 201, json={"role": "auditor", "name": "auditor"}
    )["api_key"]
    partner = Client(server.url, msp["api_key"])
    importer = Client(server.url, importer_key)
    auditor = Client(server.url, auditor_key)
    dist = Client(server.url, distributor["api_key"])
    anonymous = Client(server.url, None)

    # add -> activation email -> activate
    customer = partner.call(
        "POST",
        "/v1/customers",
        201,
        json={
            "organization_name": "Contoso",
            "notification_email": "it@contoso.example",
            "sku": PRODUCTION,
            "addons": ["AUDIT"],
        },
    )
    cid = customer["id"]
    advance(admin, seconds=1)  # lets the mailer run and settle
    url = activation_url(smtp, "it@contoso.example")
    path = url.split(str(server.port), 1)[1]
    page = anonymous.call("GET", path, 200)
    assert "form" in page.lower()
    assert partner.call("GET", f"/v1/customers/{cid}", 200)["onboarding"]["activated_at"] is None
    anonymous.call("POST", path, 200)

    # import error -> onboarded
    importer.call(
        "POST", f"/v1/customers/{cid}/import/log", 200, json={"level": "info", "message": "go"}
    )
    importer.call(
        "POST",
        f"/v1/customers/{cid}/import/failures",
        200,
        json={"code": "MAILBOX", "message": "mailbox unreachable"},
    )
    pending = partner.call("GET", "/v1/customers/pending", 200)["items"]
    assert pending[0]["onboarding"]["import_status"] == "failed"
    importer.call("POST", f"/v1/customers/{cid}/import/completion", 200)
    onboarded = partner.call("GET", f"/v1/customers/{cid}", 200)
    assert onboarded["stage"] == "onboarded"

    # extension refused, then granted inside the window
    refused = partner.call("POST", f"/v1/customers/{cid}/extend-trial", 409)
    assert refused["type"].endswith("extension-not-yet-available")
    assert refused["available_from"]
    dist.call("POST", f"/v1/customers/{cid}/extend-trial", 403)  # read-only on MSP customers
    advance(admin, days=11)
    extended = partner.call("POST", f"/v1/customers/{cid}/extend-trial", 200)
    assert extended["trial_ends_at"] > onboarded["trial_ends_at"]

    # notice -> automatic upgrade
    advance(admin, days=7)
    notices = [m for m in smtp.inbox.to("it@contoso.example") if "trial ends" in m["Subject"]]
    assert len(notices) == 2  # one for each trial end
    before_upgrade = partner.call("GET", f"/v1/customers/{cid}", 200)
    advance(admin, days=3)
    upgraded = partner.call("GET", f"/v1/customers/{cid}", 200)
    assert upgraded["status"] == "PRODUCTION"
    assert upgraded["production_since"] == upgraded["trial_ends_at"]

    # auditor: history, and the state as it was before the upgrade
    history = auditor.call("GET", f"/v1/customers/{cid}/history", 200)
    types = [e["type"] for e in history["events"]]
    assert types[0] == "Created"
    assert "ImportFailed" in types
    assert types[-1] == "UpgradedToProduction"
    as_of = before_upgrade["trial_ends_at"].replace("Z", "+00:00")
    earlier = auditor.call(
        "GET", f"/v1/customers/{cid}", 200, params={"as_of": _minus_one_second(as_of)}
    )
    assert earlier["status"] == "TRIAL"
    auditor.call("POST", f"/v1/customers/{cid}/extend-trial", 403)

    # hold -> expired -> converted
    second = partner.call(
        "POST",
        "/v1/customers",
        201,
        json={
            "organization_name": "Fabrikam",
            "notification_email": "it@fabrikam.example",
            "sku": PRODUCTION,
        },
    )
    sid = second["id"]
    advance(admin, seconds=1)
    anonymous.call(
        "POST", activation_url(smtp, "it@fabrikam.example").split(str(server.port), 1)[1], 200
    )
    importer.call("POST", f"/v1/customers/{sid}/import/completion", 200)
    held = partner.call(
        "PUT", f"/v1/customers/{sid}/automatic-upgrade", 200, json={"enabled": False}
    )
    assert held["automatic_upgrade"] is False
    advance(admin, days=14)
    assert partner.call("GET", f"/v1/customers/{sid}", 200)["status"] == "EXPIRED"
    converted = partner.call(
        "POST",
        f"/v1/customers/{sid}/convert-to-production",
        200,
        json={"expiration_date": "2030-01-01"},
    )
    assert converted["status"] == "PRODUCTION"

    # an MSP in trial is refused conversion; a distributor never sees others' customers
    trial = Client(server.url, trial_msp["api_key"])
    third = trial.call(
        "POST",
        "/v1/customers",
        201,
        json={
            "organization_name": "Tailspin",
            "notification_email": "it@tailspin.example",
            "sku": PRODUCTION,
        },
    )
    problem = trial.call(
        "POST",
        f"/v1/customers/{third['id']}/convert-to-production",
        403,
        json={"expiration_date": "2030-01-01"},
    )
    assert problem["type"].endswith("partner-in-trial")
    dist.call("GET", f"/v1/customers/{third['id']}", 404)


def _minus_one_second(instant: str) -> str:
    return (datetime.fromisoformat(instant) - timedelta(seconds=1)).isoformat()
