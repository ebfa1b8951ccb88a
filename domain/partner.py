"""The Partner aggregate: an MSP or a distributor, with its status and API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from domain.aggregate import DomainEvent, first_envelope
from domain.errors import Forbidden, ValidationFailed
from domain.keys import KeyHolder, KeyIssued, KeyRevoked, KeyRingState
from domain.rules import check_name
from domain.values import Actor, ActorKind, PartnerKind, PartnerStatus


class PartnerState(KeyRingState):
    name: str
    kind: PartnerKind
    status: PartnerStatus
    distributor_id: UUID | None


class Partner(KeyHolder):
    SNAPSHOT_TOPIC = "Partner"
    state: PartnerState
    state_type = PartnerState

    class Registered(DomainEvent):
        TOPIC = "Partner.Registered"
        name: str
        kind: PartnerKind
        status: PartnerStatus
        distributor_id: UUID | None

        def mutate(self, aggregate: Any) -> Partner:
            state = PartnerState(**self.values_of("name", "kind", "status", "distributor_id"))
            return Partner.created(self, state)

    class StatusChanged(DomainEvent):
        TOPIC = "Partner.StatusChanged"
        status: PartnerStatus

        def apply(self, aggregate: Any) -> None:
            aggregate.state.status = self.status

    class ApiKeyIssued(KeyIssued):
        TOPIC = "Partner.ApiKeyIssued"

    class ApiKeyRevoked(KeyRevoked):
        TOPIC = "Partner.ApiKeyRevoked"

    @classmethod
    def register(  # noqa: PLR0913
        cls,
        *,
        partner_id: UUID,
        name: str,
        kind: PartnerKind,
        status: PartnerStatus,
        distributor: Partner | None,
        at: datetime,
        by: Actor,
    ) -> Partner:
        check_admin(by)
        if distributor is not None:
            if kind is not PartnerKind.MSP:
                raise ValidationFailed("distributor_id", "only an MSP belongs to a distributor")
            if distributor.state.kind is not PartnerKind.DISTRIBUTOR:
                raise ValidationFailed("distributor_id", "is not a distributor")
        return cls._start(
            cls.Registered(
                **first_envelope(partner_id, at, by),
                name=check_name(name),
                kind=kind,
                status=status,
                distributor_id=None if distributor is None else distributor.id,
            )
        )

    def change_status(self, *, status: PartnerStatus, at: datetime, by: Actor) -> bool:
        check_admin(by)
        if status is self.state.status:
            return False
        self._trigger(self.StatusChanged(**self._envelope(at, by), status=status))
        return True

    def is_actor(self, by: Actor) -> bool:
        return by.is_partner and by.id == str(self.id)

    @property
    def actor_kind(self) -> ActorKind:
        return ActorKind(self.state.kind.value)


def check_admin(by: Actor) -> None:
    if by.kind is not ActorKind.ADMIN:
        raise Forbidden("only the admin may do this")
