"""The owner's commands on a customer's trial and subscription."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import IDEMPOTENT, ConditionalCommand
from api.headers import ETAG, answers
from api.problems import responses
from api.schemas import AutomaticUpgrade, Conversion, SubscriptionPatch
from application.dto import CustomerDTO

router = APIRouter(prefix="/v1/customers/{customer_id}", tags=["subscriptions"])
WRITE = responses(401, 403, 404, 409, 412, 413, 422, 503)
OPTIONS: dict[str, Any] = {
    "response_model": CustomerDTO,
    "responses": {**WRITE, **answers(200, ETAG)},
    "dependencies": IDEMPOTENT,
}


@router.post("/extend-trial", **OPTIONS)
def extend_trial(on: ConditionalCommand) -> CustomerDTO:
    """*Extend trial* by the policy's extension, inside the window before the trial ends."""
    return on.described(
        on.customers.extend_trial(on.customer_id, by=on.by, expected_version=on.version)
    )


@router.put("/automatic-upgrade", **OPTIONS)
def set_automatic_upgrade(body: AutomaticUpgrade, on: ConditionalCommand) -> CustomerDTO:
    """*Manage subscription upgrade*: hold (`false`) or release (`true`) it."""
    return on.described(
        on.customers.set_automatic_upgrade(
            on.customer_id, enabled=body.enabled, by=on.by, expected_version=on.version
        )
    )


@router.post("/convert-to-production", **OPTIONS)
def convert_to_production(body: Conversion, on: ConditionalCommand) -> CustomerDTO:
    # The body's fields are the command's own (expiration_date, sku, addons).
    outcome = on.customers.convert_to_production(
        on.customer_id, **dict(body), by=on.by, expected_version=on.version
    )
    return on.described(outcome)


@router.patch("/subscription", **OPTIONS)
def change_subscription(body: SubscriptionPatch, on: ConditionalCommand) -> CustomerDTO:
    # The body's fields are the command's own (sku, addons, expiration_date).
    outcome = on.customers.change_subscription(
        on.customer_id, **dict(body), by=on.by, expected_version=on.version
    )
    return on.described(outcome)
