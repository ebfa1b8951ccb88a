"""Value objects shared by the aggregates."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer


class ActorKind(StrEnum):
    MSP = "msp"
    DISTRIBUTOR = "distributor"
    IMPORTER = "importer"
    AUDITOR = "auditor"
    ADMIN = "admin"
    SYSTEM = "system"
    CUSTOMER = "customer"


PARTNER_KINDS = frozenset({ActorKind.MSP, ActorKind.DISTRIBUTOR})


class Actor(BaseModel):
    """Who did something: recorded on every event. ``kind`` and ``id`` name the
    principal (what it may do is decided on them); ``user_id`` the person of a partner
    who did it, if a person did. Without one it is left out of what is stored, so the
    histories recorded before people signed in read as they did."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ActorKind
    id: str
    user_id: UUID | None = None

    @model_serializer(mode="wrap")
    def _without_no_user(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        dumped: dict[str, Any] = handler(self)
        if dumped.get("user_id") is None:
            dumped.pop("user_id", None)
        return dumped

    @property
    def is_partner(self) -> bool:
        return self.kind in PARTNER_KINDS

    @property
    def principal(self) -> Actor:
        """The principal alone, without the person."""
        return Actor(kind=self.kind, id=self.id)


SYSTEM = Actor(kind=ActorKind.SYSTEM, id="process-manager")


class Stage(StrEnum):
    PENDING = "pending"
    ONBOARDED = "onboarded"


class Status(StrEnum):
    TRIAL = "TRIAL"
    PRODUCTION = "PRODUCTION"
    EXPIRED = "EXPIRED"


class Source(StrEnum):
    MSP = "MSP"
    DISTRIBUTOR = "DISTRIBUTOR"
    DIRECT = "DIRECT"


class ImportStatus(StrEnum):
    NOT_STARTED = "not_started"
    IMPORTING = "importing"
    FAILED = "failed"
    COMPLETED = "completed"


class LogLevel(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class PartnerKind(StrEnum):
    MSP = "msp"
    DISTRIBUTOR = "distributor"


class PartnerStatus(StrEnum):
    TRIAL = "trial"
    PRODUCTION = "production"


class UserRole(StrEnum):
    """A partner's person: an ``admin`` manages the partner's users, a ``member`` not."""

    ADMIN = "admin"
    MEMBER = "member"


class ServiceRole(StrEnum):
    IMPORTER = "importer"
    AUDITOR = "auditor"


class Policy(BaseModel):
    """The numbers a decision was taken under; recorded on the events they decide."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    trial_days: int = 14
    extension_days: int = 7
    extension_window_days: int = 3
    notice_days: int = 3
    production_term_days: int = 365
    link_ttl_days: int = 7

    @property
    def trial(self) -> timedelta:
        return timedelta(days=self.trial_days)

    @property
    def extension(self) -> timedelta:
        return timedelta(days=self.extension_days)

    @property
    def extension_window(self) -> timedelta:
        return timedelta(days=self.extension_window_days)

    @property
    def notice(self) -> timedelta:
        return timedelta(days=self.notice_days)

    @property
    def production_term(self) -> timedelta:
        return timedelta(days=self.production_term_days)

    @property
    def link_ttl(self) -> timedelta:
        return timedelta(days=self.link_ttl_days)


class CatalogueItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    name: str


class Catalogue(BaseModel):
    """SKUs and add-ons a customer may have; from configuration."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    skus: tuple[CatalogueItem, ...] = (
        CatalogueItem(code="ESSENTIALS_MSP_2025", name="Essentials MSP 2025"),
        CatalogueItem(code="PROFESSIONAL_MSP_2025", name="Professional MSP 2025"),
    )
    addons: tuple[CatalogueItem, ...] = (
        CatalogueItem(code="DELEGATION", name="Delegation"),
        CatalogueItem(code="AUDIT", name="Audit"),
        CatalogueItem(code="HYBRID_2025", name="Hybrid 2025"),
    )

    def has_sku(self, code: str) -> bool:
        return any(item.code == code for item in self.skus)

    def has_addon(self, code: str) -> bool:
        return any(item.code == code for item in self.addons)
