"""The Partner aggregate: an MSP or a distributor, with its status and API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self
from uuid import UUID

from domain.aggregate import DomainEvent, Snapshot, utc
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

    def __init__(self, id: UUID, created_on: datetime, state: PartnerState) -> None:  # noqa: A002
        super().__init__(id, created_on)
        self.state = state

    def snapshot_state(self) -> dict[str, Any]:
        return self.state.model_dump(mode="json")

    @classmethod
    def from_snapshot(cls, snapshot: Snapshot) -> Self:
        return cls(
            snapshot.originator_id, snapshot.created_on, PartnerState.model_validate(snapshot.state)
        )

    class Registered(DomainEvent):
        TOPIC = "Partner.Registered"
        name: str
        kind: PartnerKind
        status: PartnerStatus
        distributor_id: UUID | None

        def mutate(self, aggregate: Any) -> Partner:
            state = PartnerState(
                name=self.name,
                kind=self.kind,
                status=self.status,
                distributor_id=self.distributor_id,
            )
            partner = Partner(self.originator_id, self.timestamp, state)
            partner.version = self.originator_version
            return partner

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
        at = utc(at)
        event = cls.Registered(
            originator_id=partner_id,
            originator_version=1,
            timestamp=at,
            recorded_at=at,
            actor=by,
            name=check_name(name),
            kind=kind,
            status=status,
            distributor_id=None if distributor is None else distributor.id,
        )
        partner = event.mutate(None)
        partner._pending.append(event)
        return partner

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
