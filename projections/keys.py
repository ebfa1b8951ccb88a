"""The API keys view: every key ever issued, by holder, with when it was issued and
revoked. It names keys, never their secrets (the events hold only hashes, and this view
not even those)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from domain.aggregate import DomainEvent
from domain.errors import DomainError
from domain.keys import KeyIssued, KeyRevoked
from domain.partner import Partner
from domain.service_account import ServiceAccount
from projections.keepable import keepable_text
from projections.projection import Projection, in_list
from projections.schema import API_KEYS, KEY_HOLDERS
from projections.sql import Tx


@dataclass
class KeyTimes:
    issued_at: datetime
    revoked_at: datetime | None = None


@dataclass
class HolderKeys:
    """A holder's keys: a partner's or a service account's."""

    id: UUID
    version: int
    kind: str  # msp, distributor, importer or auditor
    name: str
    keys: dict[str, KeyTimes] = field(default_factory=dict)


class KeyViews(Projection[HolderKeys]):
    name = "api_keys"
    tables = (KEY_HOLDERS, API_KEYS)

    def handles(self, event: DomainEvent) -> bool:
        return isinstance(
            event, Partner.Registered | ServiceAccount.Registered | KeyIssued | KeyRevoked
        )

    def version(self, record: HolderKeys) -> int:
        return record.version

    def evolve(self, record: HolderKeys | None, event: DomainEvent) -> HolderKeys:
        if isinstance(event, Partner.Registered):
            record = HolderKeys(event.originator_id, 0, event.kind.value, keepable_text(event.name))
        elif isinstance(event, ServiceAccount.Registered):
            record = HolderKeys(event.originator_id, 0, event.role.value, keepable_text(event.name))
        elif record is None:
            raise DomainError(f"view has no key holder {event.originator_id}")
        elif isinstance(event, KeyIssued):
            record.keys[event.key_id] = KeyTimes(event.timestamp)
        elif isinstance(event, KeyRevoked) and event.key_id in record.keys:
            record.keys[event.key_id].revoked_at = event.timestamp
        record.version = event.originator_version
        return record

    def fetch(self, tx: Tx, ids: Sequence[UUID]) -> Callable[[], dict[UUID, HolderKeys]]:
        marks = in_list(ids)
        holders = tx.query(f"SELECT * FROM {KEY_HOLDERS.name} WHERE id IN {marks}", ids)
        keys = tx.query(f"SELECT * FROM {API_KEYS.name} WHERE holder_id IN {marks}", ids)

        def records() -> dict[UUID, HolderKeys]:
            found = {
                UUID(str(r["id"])): HolderKeys(
                    UUID(str(r["id"])), int(r["version"]), r["kind"], r["name"]
                )
                for r in holders()
            }
            for r in keys():
                revoked = r["revoked_at"]
                found[UUID(str(r["holder_id"]))].keys[r["key_id"]] = KeyTimes(
                    tx.db.instant(r["issued_at"]), tx.db.instant(revoked) if revoked else None
                )
            return found

        return records

    def write(
        self, tx: Tx, records: Sequence[HolderKeys], *, suffix: str = "", fresh: bool = False
    ) -> None:
        holders = [(r.id, r.version, r.kind, r.name) for r in records]
        keys = [
            (r.id, key_id, t.issued_at, t.revoked_at)
            for r in records
            for key_id, t in r.keys.items()
        ]
        if fresh:
            tx.insert_many(KEY_HOLDERS.name + suffix, KEY_HOLDERS.column_names, holders)
        else:
            tx.executemany(KEY_HOLDERS.upsert(), holders)
            ids = [r.id for r in records]
            tx.execute(f"DELETE FROM {API_KEYS.name} WHERE holder_id IN {in_list(ids)}", ids)
        tx.insert_many(API_KEYS.name + suffix, API_KEYS.column_names, keys)
