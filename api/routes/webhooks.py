"""Webhook endpoints, their secrets and their deliveries: a partner manages its own
(another's answer 404), the admin any."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response

from api.deps import IDEMPOTENT, SECRET, Principal, ServicesDep
from api.headers import LOCATION, answers
from api.problems import responses
from api.representations import (
    WebhookDelivery,
    WebhookDeliveryPage,
    WebhookEndpointPage,
    WebhookEndpointWithSecret,
)
from api.schemas import NewWebhookEndpoint, WebhookEndpointPatch
from application.webhook_endpoints import WebhookEndpointDTO
from application.webhook_ports import Attempt, Delivery
from domain.values import ActorKind
from domain.webhook_endpoint import EndpointChange

router = APIRouter(prefix="/v1", tags=["webhooks"])
READ = responses(401, 403, 404, 422)
WRITE = responses(401, 403, 404, 409, 413, 422, 503)
ENDPOINTS = "/webhook-endpoints"
ONE = ENDPOINTS + "/{endpoint_id}"
DeliveryId = Annotated[str, Path(pattern="^msg_[0-9a-f]{32}$", description="its webhook-id")]
PartnerFilter = Annotated[UUID | None, Query(description="admin only: this partner's endpoints")]


@router.post(
    ENDPOINTS,
    status_code=201,
    response_model=WebhookEndpointWithSecret,
    responses={**WRITE, **answers(201, LOCATION)},
    dependencies=[*IDEMPOTENT, *SECRET],
)
def create_webhook_endpoint(
    body: NewWebhookEndpoint,
    by: Principal,
    services: ServicesDep,
    request: Request,
    response: Response,
) -> WebhookEndpointWithSecret:
    """Register an endpoint; its signing secret (`whsec_…`) is shown only here."""
    endpoint, secret = services.webhooks.register(
        url=body.url,
        event_types=list(body.event_types),
        description=body.description,
        alert_email=body.alert_email,
        partner_id=body.partner_id,
        by=by,
    )
    url = request.url_for("read_webhook_endpoint", endpoint_id=endpoint.id)
    response.headers["Location"] = str(url)
    return WebhookEndpointWithSecret(**endpoint.model_dump(), secret=secret)


@router.get(ENDPOINTS, response_model=WebhookEndpointPage, responses=responses(401, 403, 422))
def list_webhook_endpoints(
    by: Principal, services: ServicesDep, partner_id: PartnerFilter = None
) -> WebhookEndpointPage:
    """The caller's endpoints (the admin's: every one, or one partner's)."""
    owner = partner_id if by.kind is ActorKind.ADMIN else None
    return WebhookEndpointPage(items=services.webhooks.list(by=by, partner_id=owner))


@router.get(ONE, response_model=WebhookEndpointDTO, responses=READ)
def read_webhook_endpoint(
    endpoint_id: UUID, by: Principal, services: ServicesDep
) -> WebhookEndpointDTO:
    return services.webhooks.get(endpoint_id, by=by)


@router.patch(ONE, response_model=WebhookEndpointDTO, responses=WRITE, dependencies=IDEMPOTENT)
def change_webhook_endpoint(
    endpoint_id: UUID, body: WebhookEndpointPatch, by: Principal, services: ServicesDep
) -> WebhookEndpointDTO:
    """Change its URL, types, description or alert address; `disabled` pauses it."""
    given = body.model_fields_set
    change = EndpointChange(
        url=body.url,
        event_types=None if body.event_types is None else list(body.event_types),
        description=body.description,
        alert_email=body.alert_email,
        clear_alert_email="alert_email" in given and body.alert_email is None,
        disabled=body.disabled,
    )
    return services.webhooks.change(endpoint_id, change, by=by)


@router.delete(ONE, status_code=204, responses=WRITE, dependencies=IDEMPOTENT)
def delete_webhook_endpoint(endpoint_id: UUID, by: Principal, services: ServicesDep) -> Response:
    """Delete it: nothing more is sent to it."""
    services.webhooks.delete(endpoint_id, by=by)
    return Response(status_code=204)


@router.post(
    ONE + "/secret/rotate",
    response_model=WebhookEndpointWithSecret,
    responses=WRITE,
    dependencies=[*IDEMPOTENT, *SECRET],
)
def rotate_webhook_secret(
    endpoint_id: UUID, by: Principal, services: ServicesDep
) -> WebhookEndpointWithSecret:
    """A new secret, shown only here; the previous one signs beside it for 24 h (both
    signatures are sent) or until `secret/retire`."""
    endpoint, secret = services.webhooks.rotate_secret(endpoint_id, by=by)
    return WebhookEndpointWithSecret(**endpoint.model_dump(), secret=secret)


@router.post(
    ONE + "/secret/retire",
    response_model=WebhookEndpointDTO,
    responses=WRITE,
    dependencies=IDEMPOTENT,
)
def retire_webhook_secrets(
    endpoint_id: UUID, by: Principal, services: ServicesDep
) -> WebhookEndpointDTO:
    """Only the newest secret signs from now on."""
    return services.webhooks.retire_secrets(endpoint_id, by=by)


@router.get(ONE + "/deliveries", response_model=WebhookDeliveryPage, responses=READ)
def list_webhook_deliveries(
    endpoint_id: UUID,
    by: Principal,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> WebhookDeliveryPage:
    """Its deliveries, newest event first, each with every attempt."""
    found = services.deliveries.of_endpoint(endpoint_id, by=by, limit=limit)
    return WebhookDeliveryPage(items=[shown(d, a) for d, a in found])


@router.post(
    "/webhook-deliveries/{delivery_id}/redeliver",
    status_code=202,
    response_model=WebhookDelivery,
    responses=WRITE,
    dependencies=IDEMPOTENT,
)
def redeliver_webhook(
    delivery_id: DeliveryId, by: Principal, services: ServicesDep
) -> WebhookDelivery:
    """Send it again now, with the same `webhook-id`."""
    delivery = services.deliveries.redeliver(delivery_id, by=by)
    services.webhook_workers.wake()
    return shown(delivery, services.deliveries.queue.attempts([delivery.id])[delivery.id])


def shown(delivery: Delivery, attempts: list[Attempt]) -> WebhookDelivery:
    """The delivery as the API shows it: its fields by name, but ``event_version`` (the
    customer's version) and ``attempts`` (each one's ``response_excerpt``)."""
    return WebhookDelivery.model_validate(
        {
            **asdict(delivery),
            "event_version": delivery.customer_version,
            "attempts": [{**asdict(a), "response_excerpt": a.excerpt} for a in attempts],
        }
    )
