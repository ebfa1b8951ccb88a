"""Response bodies beyond the application's DTOs, and the customer ETag."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from fastapi import Response
from pydantic import BaseModel, Field

from application.dto import CustomerDTO, PartnerDTO
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
