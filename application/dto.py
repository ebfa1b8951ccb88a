"""What the use cases return: plain data (a command's Outcome also keeps the saved aggregate)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any, NotRequired
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer
from typing_extensions import TypedDict

from domain.customer import Customer
from domain.customer_state import ImportError_, LogEntry
from domain.partner import Partner
from domain.values import ImportStatus, PartnerKind, PartnerStatus, Source, Stage, Status


class Onboarding(BaseModel):
    activation_sent_at: datetime | None
    activated_at: datetime | None
    import_status: ImportStatus
    import_errors: list[ImportError_]
    event_log: list[LogEntry]


class ExtendTrialAction(BaseModel):
    allowed: bool
    available_from: datetime | None
    reason: str | None


class Action(BaseModel):
    allowed: bool
    reason: str | None


class Actions(BaseModel):
    extend_trial: ExtendTrialAction
    convert_to_production: Action
    manage_upgrade: Action


class CustomerDTO(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: UUID
    version: int
    organization_name: str
    notification_email: str | None = Field(
        description="`null` once the customer's personal data was erased (`erased`)"
    )
    erased: bool = Field(
        False, description="its personal data was erased: the address and the messages are null"
    )
    sku: str
    addons: list[str]
    partner_id: UUID
    distributor_id: UUID | None
    source: Source
    stage: Stage
    status: Status
    created_at: datetime
    onboarded_at: datetime | None
    trial_ends_at: datetime | None
    automatic_upgrade: bool
    upgrade_notice_sent_at: datetime | None
    production_since: datetime | None
    expiration_date: date | None
    onboarding: Onboarding
    actions: Actions | None = None

    @classmethod
    def of(cls, customer: Customer, actions: Actions | None = None) -> CustomerDTO:
        s = customer.state
        onboarding = Onboarding(
            activation_sent_at=s.activation_sent_at,
            activated_at=s.activated_at,
            import_status=s.import_status,
            import_errors=list(s.import_errors),
            event_log=list(s.event_log),
        )
        return cls.model_validate(  # the state's fields, by name, and the aggregate's
            dict(s)
            | {
                "id": customer.id,
                "version": customer.version,
                "created_at": customer.created_on,
                "onboarding": onboarding,
                "actions": actions,
            }
        )


class ActorJSON(TypedDict):
    """ActorDTO as it is written out (the serialization schema follows it)."""

    kind: str
    id: str
    user_id: NotRequired[str]
    name: NotRequired[str]
    email: NotRequired[str]


PERSON = ("user_id", "name", "email")


class ActorDTO(BaseModel):
    """Who did it: the principal (``kind``, ``id``) and, when a person of a partner did,
    the person (``user_id``, their ``name`` and ``email``); those are left out otherwise."""

    kind: str
    id: str
    user_id: str | None = None
    name: str | None = None
    email: str | None = None

    @model_serializer(mode="wrap")
    def _without_no_person(self, handler: SerializerFunctionWrapHandler) -> ActorJSON:
        dumped: ActorJSON = handler(self)
        for name in PERSON:
            if dumped.get(name) is None:
                dumped.pop(name, None)  # type: ignore[misc]
        return dumped

    @property
    def label(self) -> str | None:
        """``Ada Lovelace (ada@msp.example)``; None when no person is named."""
        if self.email is None:
            return None
        return f"{self.name} ({self.email})" if self.name else self.email


class HistoryEvent(BaseModel):
    version: int
    type: str
    recorded_at: datetime
    effective_at: datetime
    actor: ActorDTO
    data: dict[str, Any]


class History(BaseModel):
    customer_id: UUID
    events: list[HistoryEvent]


@dataclass(frozen=True)
class Outcome:
    """A command's result: the customer as it now is, and where its events landed.

    ``aggregate`` is the customer as saved (shared with the unit of work's cache: read
    it, never change it) and ``owner`` its owner when the command loaded it, so an
    answer is described from what the command did, without reading either again.
    """

    position: int | None
    aggregate: Customer
    owner: Partner | None = None

    @cached_property
    def customer(self) -> CustomerDTO:
        """The customer as a DTO, built when first asked for (the process manager's
        commands never ask)."""
        return CustomerDTO.of(self.aggregate)


@dataclass(frozen=True)
class ActivationLink:
    url: str
    expires_at: datetime


class PartnerDTO(BaseModel):
    id: UUID
    version: int
    name: str
    kind: PartnerKind
    status: PartnerStatus
    distributor_id: UUID | None
    created_at: datetime

    @classmethod
    def of(cls, partner: Partner) -> PartnerDTO:
        facts = partner.state.model_dump(include=set(cls.model_fields))
        return cls(id=partner.id, version=partner.version, created_at=partner.created_on, **facts)
