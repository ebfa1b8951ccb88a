"""Bearer keys to principals. Keys name their holder; only hashes are stored.

Verifying a key loads its holder (a partner or a service account): a database read on
every request. A verified key is remembered, but only while this process watches the
events (its views follower runs), and never for more than ``remember_s`` seconds:

- any event of the holder (a key revoked, a status changed) makes this process forget
  the holder's keys as soon as its follower reads that event (milliseconds), and a
  save of the holder in this process does at once;
- when the follower skips events it did not read (another process projected them),
  everything is forgotten;
- a key verified while an event of any holder arrived is not remembered (it may
  have been verified against the state before that event).
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import KW_ONLY, dataclass, field
from uuid import UUID

from application.errors import NotFound
from application.partners import parse_key
from application.unit_of_work import UnitOfWork
from domain.aggregate import DomainEvent
from domain.partner import Partner
from domain.service_account import ServiceAccount
from domain.values import Actor, ActorKind

REMEMBER_S = 10.0


@dataclass(frozen=True)
class _Verified:
    actor: Actor
    holder_id: UUID
    key_id: str
    holder_version: int
    until: float


def _not_watching() -> bool:
    return False


def _not_recorded(holder_id: UUID, key_id: str) -> None:
    """Where no one records when keys are used."""


@dataclass(eq=False)
class Authenticator:
    """Who a bearer token names: the admin, a partner or a service account."""

    uow: UnitOfWork
    admin_token: str | None
    _: KW_ONLY
    watching: Callable[[], bool] = _not_watching
    remember_s: float = REMEMBER_S
    monotonic: Callable[[], float] = time.monotonic
    used: Callable[[UUID, str], None] = _not_recorded  # a key verified: it was used now
    _verified: dict[bytes, _Verified] = field(default_factory=dict, init=False, repr=False)
    _epoch: int = field(default=0, init=False)  # bumped whenever something may be forgotten
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def authenticate(self, bearer: str) -> Actor | None:
        """The key's principal, or None; may read the key's holder."""
        remembered = self.remembered(bearer)
        if remembered is not None:
            return remembered
        parsed = parse_key(bearer)
        if parsed is None:
            return None
        epoch = self._epoch
        try:
            holder = self.uow.load(parsed.holder, parsed.holder_id)
        except NotFound:
            return None
        if not holder.verify_api_key(parsed.key_id, parsed.secret):
            return None
        if isinstance(holder, Partner):
            actor = Actor(kind=holder.actor_kind, id=str(holder.id))
        else:
            assert isinstance(holder, ServiceAccount)
            actor = Actor(kind=ActorKind(holder.state.role.value), id=str(holder.id))
        self.used(holder.id, parsed.key_id)
        if self.watching():
            until = self.monotonic() + self.remember_s
            entry = _Verified(actor, holder.id, parsed.key_id, holder.version, until)
            with self._lock:
                if self._epoch == epoch:
                    self._verified[_digest(bearer)] = entry
        return actor

    def remembered(self, bearer: str) -> Actor | None:
        """The admin, or a key verified lately and still valid; never reads the database."""
        if self.admin_token and hmac.compare_digest(bearer.encode(), self.admin_token.encode()):
            return Actor(kind=ActorKind.ADMIN, id="admin")
        digest = _digest(bearer)
        entry = self._verified.get(digest)
        if entry is None:
            return None
        saved = self.uow.saved.version_of(entry.holder_id)
        if (
            entry.until <= self.monotonic()
            or (saved is not None and saved > entry.holder_version)
            or not self.watching()
        ):
            with self._lock:
                self._verified.pop(digest, None)
            return None
        self.used(entry.holder_id, entry.key_id)
        return entry.actor

    # ------------------------------------------- events, from the views' follower
    def observe(self, events: Sequence[DomainEvent]) -> None:
        holders = {e.originator_id for e in events if _is_holder_event(e)}
        if not holders:
            return
        with self._lock:
            self._epoch += 1
            for digest, entry in list(self._verified.items()):
                if entry.holder_id in holders:
                    del self._verified[digest]

    def lost_track(self) -> None:
        with self._lock:
            self._epoch += 1
            self._verified.clear()


HOLDER_TOPICS = (f"{Partner.SNAPSHOT_TOPIC}.", f"{ServiceAccount.SNAPSHOT_TOPIC}.")


def _is_holder_event(event: DomainEvent) -> bool:
    return type(event).TOPIC.startswith(HOLDER_TOPICS)


def _digest(bearer: str) -> bytes:
    return hashlib.sha256(bearer.encode()).digest()
