"""What a delivery says and how it is signed, checked with the ``standardwebhooks``
package's own verifier."""

from __future__ import annotations

import base64
import json
import time
from uuid import uuid4

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from application.webhook_messages import MAX_BODY, body, event_id, headers, webhook_id
from domain import customer_events
from domain.customer import Customer
from domain.errors import ValidationFailed
from domain.values import Catalogue, LogLevel, Policy
from domain.webhook_types import EVENT_TYPES, TYPES, check_event_types
from tests.support.events import T0, msp_partner
from tests.support.principals import HOLDER, IMPORTER, MSP

SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()
OTHER = "whsec_" + base64.b64encode(b"o" * 32).decode()


def a_customer() -> Customer:
    return Customer.add(
        customer_id=uuid4(),
        organization_name="Contoso",
        notification_email="it@contoso.example",
        sku="ESSENTIALS_MSP_2025",
        addons=[],
        owner=msp_partner(),
        direct=False,
        catalogue=Catalogue(),
        policy=Policy(),
        at=T0,
        by=MSP,
    )


def test_every_customer_event_has_one_webhook_type() -> None:
    kinds = [
        v
        for v in vars(customer_events).values()
        if isinstance(v, type)
        and v.__module__ == customer_events.__name__
        and v not in (customer_events.Event,)
    ]
    assert set(TYPES) == set(kinds)
    assert len(set(EVENT_TYPES)) == len(EVENT_TYPES) == 16


def test_unknown_types_are_refused_and_each_type_is_kept_once() -> None:
    assert check_event_types(["customer.created", "customer.created"]) == ("customer.created",)
    with pytest.raises(ValidationFailed, match=r"customer\.deleted"):
        check_event_types(["customer.deleted"])


def test_given_a_signed_delivery_then_standardwebhooks_verifies_it_with_each_secret() -> None:
    customer = a_customer()
    [created] = customer.pending_events
    payload = body(customer, created, "customer.created", 7)
    msg_id = webhook_id(event_id(customer.id, 1), uuid4())
    sent = headers([OTHER, SECRET], msg_id, int(time.time()), payload)
    assert len(sent["webhook-signature"].split(" ")) == 2
    for secret in (SECRET, OTHER):
        verified = Webhook(secret).verify(payload, sent)
        assert verified["type"] == "customer.created"
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + base64.b64encode(b"x" * 32).decode()).verify(payload, sent)
    message = json.loads(payload)
    assert message["timestamp"] == "2026-01-05T09:00:00Z"
    assert message["data"]["event"]["position"] == 7
    assert message["data"]["event"]["actor"] == {"kind": "msp", "id": MSP.id}


def test_the_webhook_id_is_the_same_for_one_event_and_endpoint_and_differs_otherwise() -> None:
    customer, endpoint = uuid4(), uuid4()
    assert webhook_id(event_id(customer, 1), endpoint) == webhook_id(
        event_id(customer, 1), endpoint
    )
    assert webhook_id(event_id(customer, 1), endpoint) != webhook_id(
        event_id(customer, 2), endpoint
    )
    assert webhook_id(event_id(customer, 1), endpoint) != webhook_id(event_id(customer, 1), uuid4())


def test_a_long_import_log_is_cut_from_its_oldest_entries_to_stay_under_20_kb() -> None:
    customer = a_customer()
    customer.collect_events()
    customer.activate(link_version=1, at=T0, by=HOLDER)
    for i in range(40):
        message = f"{i:03} " + "x" * 1000
        customer.log_import_message(level=LogLevel.INFO, message=message, at=T0, by=IMPORTER)
    last = customer.pending_events[-1]
    payload = body(customer, last, "customer.import_message_logged", 99)
    assert len(payload) < MAX_BODY
    log = json.loads(payload)["data"]["onboarding"]["event_log"]
    assert log
    assert log[-1]["message"].startswith("039")
