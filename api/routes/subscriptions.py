"""The owner's commands on a customer's trial and subscription."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from api.bootstrap import Services
from api.deps import IDEMPOTENT, ExpectedVersion, Principal, ServicesDep
from api.headers import ETAG, answers
from api.problems import responses
from api.representations import tagged
from api.schemas import AutomaticUpgrade, Conversion, SubscriptionPatch
from application.dto import CustomerDTO, Outcome
from domain.values import Actor

router = APIRouter(prefix="/v1/customers/{customer_id}", tags=["subscriptions"])
WRITE = responses(401, 403, 404, 409, 412, 413, 422, 503)
OPTIONS: dict[str, Any] = {
    "response_model": CustomerDTO,
    "responses": {**WRITE, **answers(200, ETAG)},
    "dependencies": IDEMPOTENT,
}


@router.post("/extend-trial", **OPTIONS)
def extend_trial(
    customer_id: UUID,
    by: Principal,
    services: ServicesDep,
    version: ExpectedVersion,
    response: Response,
) -> CustomerDTO:
    """*Extend trial* by the policy's extension, inside the window before the trial ends."""
    outcome = services.customers.extend_trial(customer_id, by=by, expected_version=version)
    return described(services, outcome, by, response)


@router.put("/automatic-upgrade", **OPTIONS)
def set_automatic_upgrade(
    customer_id: UUID,
    body: AutomaticUpgrade,
    by: Principal,
    services: ServicesDep,
    version: ExpectedVersion,
    response: Response,
) -> CustomerDTO:
    """*Manage subscription upgrade*: hold (`false`) or release (`true`) it."""
    outcome = services.customers.set_automatic_upgrade(
        customer_id, enabled=body.enabled, by=by, expected_version=version
    )
    return described(services, outcome, by, response)


@router.post("/convert-to-production", **OPTIONS)
def convert_to_production(
    customer_id: UUID,
    body: Conversion,
    by: Principal,
    services: ServicesDep,
    version: ExpectedVersion,
    response: Response,
) -> CustomerDTO:
    outcome = services.customers.convert_to_production(
        customer_id,
        expiration_date=body.expiration_date,
        sku=body.sku,
        addons=body.addons,
        by=by,
        expected_version=version,
    )
    return described(services, outcome, by, response)


@router.patch("/subscription", **OPTIONS)
def change_subscription(
    customer_id: UUID,
    body: SubscriptionPatch,
    by: Principal,
    services: ServicesDep,
    version: ExpectedVersion,
    response: Response,
) -> CustomerDTO:
    outcome = services.customers.change_subscription(
        customer_id,
        sku=body.sku,
        addons=body.addons,
        expiration_date=body.expiration_date,
        by=by,
        expected_version=version,
    )
    return described(services, outcome, by, response)


def described(services: Services, outcome: Outcome, by: Actor, response: Response) -> CustomerDTO:
    """The customer after the command, with the caller's actions and its ETag: from
    what the command saved, not read again (a read could fail after the write landed)."""
    customer = services.queries.describe(outcome.aggregate, by, outcome.owner)
    tagged(response, customer.version)
    return customer
