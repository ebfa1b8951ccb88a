"""Response bodies beyond the application's DTOs, and the customer ETag."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import Response
from pydantic import BaseModel, Field

from application.dto import CustomerDTO, PartnerDTO
from application.webhook_endpoints import WebhookEndpointDTO
from domain.values import ImportStatus, Stage


class PendingCustomer(CustomerDTO):
    activation_url: str | None


class PendingPage(BaseModel):
    items: list[PendingCustomer]
    next_cursor: str | None


class CustomerPage(BaseModel):
    items: list[CustomerDTO]
    next_cursor: str | None


class PartnerWithKey(PartnerDTO):
    api_key: str


class ApiKey(BaseModel):
    holder_id: UUID
    api_key: str
    id: str = Field(description="the key's id, which lists and revocation name it by")
    prefix: str = Field(description="the key without its secret, as lists show it")


class KeyItem(BaseModel):
    """A key held now, without its secret."""

    id: str
    prefix: str
    holder_id: UUID
    created_at: datetime
    last_used_at: datetime | None = Field(description="to the minute; null if never used")


class ServiceKeyItem(KeyItem):
    role: str = Field(description="importer or auditor")
    name: str = Field(description="the service account's name")


class KeyList(BaseModel):
    items: list[KeyItem]


class ServiceKeyList(BaseModel):
    items: list[ServiceKeyItem]


class PartnerItem(PartnerDTO):
    customers: int = Field(description="its customers, pending and onboarded")


class PartnerPage(BaseModel):
    items: list[PartnerItem]
    next_cursor: str | None


class Link(BaseModel):
    url: str
    expires_at: datetime


class ImportReceipt(BaseModel):
    id: UUID
    version: int
    stage: Stage
    import_status: ImportStatus


class Activation(BaseModel):
    customer_id: UUID
    organization_name: str
    activated_at: datetime


class Now(BaseModel):
    now: datetime


class Health(BaseModel):
    status: str
    checks: dict[str, bool] = {}


def tagged(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'


class WebhookEndpointWithSecret(WebhookEndpointDTO):
    secret: str


class WebhookEndpointPage(BaseModel):
    items: list[WebhookEndpointDTO]


class WebhookAttempt(BaseModel):
    number: int
    at: datetime
    status_code: int | None
    duration_ms: int
    response_excerpt: str
    error: str | None


class WebhookDelivery(BaseModel):
    id: str
    endpoint_id: UUID
    customer_id: UUID
    event_type: str
    event_version: int
    position: int
    status: str
    next_attempt_at: datetime | None
    created_at: datetime
    last_status_code: int | None
    attempts: list[WebhookAttempt]


class WebhookDeliveryPage(BaseModel):
    items: list[WebhookDelivery]


class EventMessage(BaseModel):
    """A webhook delivery's body, exactly (docs/webhooks.md)."""

    type: str = Field(description="the event type, e.g. `customer.created`")
    timestamp: datetime = Field(description="when the change took effect")
    data: dict[str, Any] = Field(
        description="the customer after the change (as `GET /v1/customers/{id}`, without "
        "`actions`) and `event`: `{id, type, version, position, actor, effective_at, "
        "recorded_at}`"
    )


class EventFeedPage(BaseModel):
    items: list[EventMessage]
    next_cursor: str = Field(description="send it back as `after` for what follows")
