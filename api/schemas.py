"""Request bodies: strict, bounded, and unknown members refused."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from domain.rules import MAX_CODE, MAX_MESSAGE, MAX_NAME
from domain.text import SINGLE_LINE, Line, Lines
from domain.values import LogLevel, PartnerKind, PartnerStatus, ServiceRole, UserRole

Code = Annotated[Line, Field(min_length=1, max_length=MAX_CODE)]
Name = Annotated[Line, Field(min_length=1, max_length=MAX_NAME)]
Message = Annotated[Lines, Field(min_length=1, max_length=MAX_MESSAGE)]
# The document lists the configured catalogue's codes in place of the marker (api/openapi.py).
CATALOGUE = "x-catalogue"
Sku = Annotated[Code, Field(json_schema_extra={CATALOGUE: "skus"})]
Addons = Annotated[
    list[Annotated[Code, Field(json_schema_extra={CATALOGUE: "addons"})]],
    Field(max_length=50, json_schema_extra={"uniqueItems": True}),
]
Email = Annotated[Line, Field(min_length=3, max_length=320, json_schema_extra={"format": "email"})]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewCustomer(Body):
    organization_name: Name
    notification_email: Email
    sku: Sku
    addons: Addons = []
    partner_id: UUID | None = Field(None, description="admin only: the owner of a DIRECT customer")
    source: Literal["DIRECT"] | None = Field(None, description="admin only: DIRECT")


class NewPartner(Body):
    name: Name
    kind: PartnerKind
    status: PartnerStatus = PartnerStatus.TRIAL
    distributor_id: UUID | None = None


class PartnerPatch(Body):
    status: PartnerStatus


KeyId = Annotated[
    str,
    Path(pattern="^[0-9a-f]{8,32}$", description="the key's `id`, as its list shows it"),
]


class NewServiceKey(Body):
    role: ServiceRole
    name: Name


class ImportLog(Body):
    level: LogLevel
    message: Message


class Erasure(Body):
    reason: Annotated[Message, Field(description="why the personal data is erased")]


class ImportFailure(Body):
    code: Code
    message: Message


class AutomaticUpgrade(Body):
    enabled: StrictBool


class Conversion(Body):
    expiration_date: date
    sku: Sku | None = None
    addons: Addons | None = None


class SubscriptionPatch(Body):
    sku: Sku | None = None
    addons: Addons | None = None
    expiration_date: date | None = None


class Advance(Body):
    days: Annotated[int, Field(ge=0, le=3660)] = 0
    hours: Annotated[int, Field(ge=0, le=100_000)] = 0
    seconds: Annotated[int, Field(ge=0, le=10_000_000)] = 0


EventType = Literal[
    "customer.created",
    "customer.activation_sent",
    "customer.activation_link_reissued",
    "customer.activated",
    "customer.import_message_logged",
    "customer.import_failed",
    "customer.onboarded",
    "customer.trial_will_end",
    "customer.trial_extended",
    "customer.upgrade_held",
    "customer.upgrade_released",
    "customer.upgraded_to_production",
    "customer.trial_expired",
    "customer.converted_to_production",
    "customer.subscription_changed",
    "customer.personal_data_erased",
]
EventTypes = Annotated[
    list[EventType],
    Field(max_length=20, description="the types sent to it; empty or absent: every type"),
]
Url = Annotated[
    str,
    Field(
        min_length=8,
        max_length=2000,
        pattern=r"^https?://[^\s/?#@]+(/[^\s#]*)?$",
        description="an https:// URL (http:// only where insecure endpoints are allowed)",
    ),
    SINGLE_LINE,  # after the constraints, so the document keeps the pattern
]
Description = Annotated[Line, Field(max_length=500)]


class NewWebhookEndpoint(Body):
    url: Url
    event_types: EventTypes = []
    description: Description = ""
    alert_email: Email | None = Field(
        None,
        description="emailed if the endpoint is disabled after 3 days of failures "
        "(none: the partner's active admin users are)",
    )
    partner_id: UUID | None = Field(None, description="admin only: the partner it is for")


class WebhookEndpointPatch(Body):
    url: Url | None = None
    event_types: EventTypes | None = None
    description: Description | None = None
    alert_email: Email | None = Field(None, description="`null` removes it")
    disabled: StrictBool | None = None


class NewUser(Body):
    email: Email
    name: Annotated[Line, Field(max_length=MAX_NAME, description="the person's name")] = ""
    role: UserRole = UserRole.MEMBER
