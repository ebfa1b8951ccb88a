"""A Customer's state, and the time-driven work it can wait for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from domain.values import ImportStatus, LogLevel, Source, Stage, Status


class DeadlineKind(StrEnum):
    """The time-driven work a customer can wait for (its value names it in the views)."""

    ACTIVATION_EMAIL = "activation_email"
    UPGRADE_NOTICE = "upgrade_notice"
    TRIAL_END = "trial_end"


@dataclass(frozen=True)
class Deadline:
    """Time-driven work a customer waits for, and when it falls due."""

    customer_id: UUID
    kind: DeadlineKind
    due_at: datetime


class ImportError_(BaseModel):  # noqa: N801 - avoids shadowing the builtin ImportError
    model_config = ConfigDict(frozen=True, extra="forbid")
    at: datetime
    code: str
    message: str | None  # None: erased


class LogEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    at: datetime
    level: LogLevel
    message: str | None  # None: erased


class CustomerState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organization_name: str
    notification_email: str | None  # None: erased (``erased``)
    sku: str
    addons: tuple[str, ...]
    partner_id: UUID
    distributor_id: UUID | None
    source: Source
    stage: Stage = Stage.PENDING
    status: Status = Status.TRIAL
    link_version: int = 1
    link_issued_at: datetime
    link_expires_at: datetime
    activation_sent_version: int = 0
    activation_sent_at: datetime | None = None
    activated_at: datetime | None = None
    import_status: ImportStatus = ImportStatus.NOT_STARTED
    import_errors: list[ImportError_] = Field(default_factory=list)  # no deepcopy of []
    event_log: list[LogEntry] = Field(default_factory=list)
    onboarded_at: datetime | None = None
    trial_ends_at: datetime | None = None
    automatic_upgrade: bool = True
    upgrade_notice_sent_at: datetime | None = None
    noticed_trial_end: datetime | None = None
    production_since: datetime | None = None
    expiration_date: date | None = None
    erased: bool = False  # its personal data was erased (PersonalDataErased)

    def without_personal_data(self) -> None:
        """Forget the personal fields: the address and the importer's messages."""
        self.notification_email = None
        self.event_log = [e.model_copy(update={"message": None}) for e in self.event_log]
        self.import_errors = [e.model_copy(update={"message": None}) for e in self.import_errors]
        self.erased = True
