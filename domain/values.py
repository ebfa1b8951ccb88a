"""Value objects shared by the aggregates."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


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
    """Who did something: recorded on every event."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ActorKind
    id: str

    @property
    def is_partner(self) -> bool:
        return self.kind in PARTNER_KINDS


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
