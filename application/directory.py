"""The port through which the use cases list partners and API keys (implemented by the
views' directory, projections/directory.py), and what it answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from application.dto import PartnerDTO
from application.lists import Page
from domain.values import Actor


@dataclass(frozen=True)
class PartnerRow:
    partner: PartnerDTO
    customers: int  # pending and onboarded


@dataclass(frozen=True)
class KeyRow:
    """A key held now (revoked keys are in the holder's history, not here)."""

    holder_id: UUID
    holder_kind: str  # msp, distributor, importer or auditor
    holder_name: str
    key_id: str
    issued_at: datetime


class Directory(Protocol):
    def partners(self, viewer: Actor, limit: int, cursor: str | None) -> Page[PartnerRow]:
        """The partners ``viewer`` may list, oldest first: every partner for the admin
        and auditors, a distributor's MSPs for it, an MSP itself."""
        ...

    def keys_of(self, holder_id: UUID) -> list[KeyRow]:
        """The keys ``holder_id`` holds now, oldest first."""
        ...

    def service_keys(self, key_id: str | None = None) -> list[KeyRow]:
        """The keys service accounts hold now (the one with ``key_id``, when given)."""
        ...
