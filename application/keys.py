"""API keys listed and revoked. A key is named by its id and a prefix that is the key
without its secret; the admin manages every key, a partner its own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from application.directory import Directory, KeyRow
from application.errors import Busy, NotFound
from application.key_uses import KeyUses
from application.partners import key_prefix
from application.unit_of_work import UnitOfWork
from domain.errors import Forbidden
from domain.keys import KeyHolder
from domain.partner import Partner
from domain.service_account import ServiceAccount
from domain.values import Actor, ActorKind


@dataclass(frozen=True)
class KeyDTO:
    id: str
    prefix: str
    holder_id: UUID
    holder_kind: str
    holder_name: str
    created_at: datetime
    last_used_at: datetime | None


@dataclass(eq=False)
class KeyCommands:
    uow: UnitOfWork
    directory: Directory | None
    uses: KeyUses | None = None

    def partner_keys(self, partner_id: UUID, *, by: Actor) -> list[KeyDTO]:
        self._check_partner(partner_id, by)
        return self._described(Partner, self._directory().keys_of(partner_id))

    def revoke_partner_key(self, partner_id: UUID, key_id: str, *, by: Actor) -> None:
        self._check_partner(partner_id, by)
        self._revoke(Partner, partner_id, key_id, by)

    def service_keys(self, *, by: Actor) -> list[KeyDTO]:
        _check_admin(by)
        return self._described(ServiceAccount, self._directory().service_keys())

    def revoke_service_key(self, key_id: str, *, by: Actor) -> None:
        _check_admin(by)
        held = self._directory().service_keys(key_id)
        if len(held) != 1:  # ids are 64 random bits: two holders of one id are not expected
            raise NotFound(f"no service key {key_id}")
        self._revoke(ServiceAccount, held[0].holder_id, key_id, by)

    # ------------------------------------------------------------ plumbing
    def _revoke(self, holder: type[KeyHolder], holder_id: UUID, key_id: str, by: Actor) -> None:
        def revoke(h: KeyHolder, now: datetime) -> None:
            if not h.holds_key(key_id):
                raise NotFound(f"no key {key_id}")
            h.revoke_api_key(key_id=key_id, at=now, by=by)

        self.uow.change(holder, holder_id, revoke)

    def _described(self, holder: type[KeyHolder], rows: Sequence[KeyRow]) -> list[KeyDTO]:
        used = self.uses.last_used(list({r.holder_id for r in rows})) if self.uses else {}
        return [
            KeyDTO(
                id=r.key_id,
                prefix=key_prefix(holder, r.holder_id, r.key_id),
                holder_id=r.holder_id,
                holder_kind=r.holder_kind,
                holder_name=r.holder_name,
                created_at=r.issued_at,
                last_used_at=used.get((r.holder_id, r.key_id)),
            )
            for r in rows
        ]

    def _check_partner(self, partner_id: UUID, by: Actor) -> None:
        """The admin, or the partner itself; anyone else learns nothing of the partner."""
        if by.kind is not ActorKind.ADMIN and not (by.is_partner and by.id == str(partner_id)):
            raise NotFound(f"no partner {partner_id}")
        self.uow.load(Partner, partner_id)  # a partner that does not exist is not found

    def _directory(self) -> Directory:
        if self.directory is None:
            raise Busy("the views are not running in this process")
        return self.directory


def _check_admin(by: Actor) -> None:
    if by.kind is not ActorKind.ADMIN:
        raise Forbidden("only the admin manages service keys")
