"""A service account: the importer or an auditor, holding API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from domain.aggregate import DomainEvent, first_envelope
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
    state_type = ServiceAccountState

    class Registered(DomainEvent):
        TOPIC = "ServiceAccount.Registered"
        role: ServiceRole
        name: str

        def mutate(self, aggregate: Any) -> ServiceAccount:
            state = ServiceAccountState(role=self.role, name=self.name)
            return ServiceAccount.created(self, state)

    class ApiKeyIssued(KeyIssued):
        TOPIC = "ServiceAccount.ApiKeyIssued"

    class ApiKeyRevoked(KeyRevoked):
        TOPIC = "ServiceAccount.ApiKeyRevoked"

    @classmethod
    def register(
        cls, *, account_id: UUID, role: ServiceRole, name: str, at: datetime, by: Actor
    ) -> ServiceAccount:
        check_admin(by)
        return cls._start(
            cls.Registered(**first_envelope(account_id, at, by), role=role, name=check_name(name))
        )
