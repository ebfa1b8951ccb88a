"""A service account: the importer or an auditor, holding API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self
from uuid import UUID

from domain.aggregate import DomainEvent, Snapshot, utc
from domain.keys import KeyHolder, KeyIssued, KeyRevoked, KeyRingState
from domain.partner import check_admin
from domain.rules import check_name
from domain.values import Actor, ServiceRole


class ServiceAccountState(KeyRingState):
    role: ServiceRole
    name: str


class ServiceAccount(KeyHolder):
    SNAPSHOT_TOPIC = "ServiceAccount"
    state: ServiceAccountState

    def __init__(self, id: UUID, created_on: datetime, state: ServiceAccountState) -> None:  # noqa: A002
        super().__init__(id, created_on)
        self.state = state

    def snapshot_state(self) -> dict[str, Any]:
        return self.state.model_dump(mode="json")

    @classmethod
    def from_snapshot(cls, snapshot: Snapshot) -> Self:
        state = ServiceAccountState.model_validate(snapshot.state)
        return cls(snapshot.originator_id, snapshot.created_on, state)

    class Registered(DomainEvent):
        TOPIC = "ServiceAccount.Registered"
        role: ServiceRole
        name: str

        def mutate(self, aggregate: Any) -> ServiceAccount:
            state = ServiceAccountState(role=self.role, name=self.name)
            account = ServiceAccount(self.originator_id, self.timestamp, state)
            account.version = self.originator_version
            return account

    class ApiKeyIssued(KeyIssued):
        TOPIC = "ServiceAccount.ApiKeyIssued"

    class ApiKeyRevoked(KeyRevoked):
        TOPIC = "ServiceAccount.ApiKeyRevoked"

    @classmethod
    def register(
        cls, *, account_id: UUID, role: ServiceRole, name: str, at: datetime, by: Actor
    ) -> ServiceAccount:
        check_admin(by)
        at = utc(at)
        event = cls.Registered(
            originator_id=account_id,
            originator_version=1,
            timestamp=at,
            recorded_at=at,
            actor=by,
            role=role,
            name=check_name(name),
        )
        account = event.mutate(None)
        account._pending.append(event)
        return account
