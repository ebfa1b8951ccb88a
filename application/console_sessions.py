"""Console sessions: a sign-in link (a person) or an API key (or the admin token)
exchanged for a server-side session.

The browser holds only a random session token; the record keeps its SHA-256, who signed
in, a CSRF token and the key's fingerprint. A session ends when it is idle for
``IDLE`` or older than ``ABSOLUTE`` (both by the service's clock), when its owner signs
out, when the key it was opened with stops working (revoked, or the admin token
changed), or when its person is removed: each request checks the key, or the user,
again.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID

from application.authentication import Authenticator
from application.clock import Clock
from application.errors import NotFound
from application.partners import parse_key
from application.tokens import new_token, token_hash
from application.unit_of_work import UnitOfWork
from domain.keys import KeyHolder, hash_secret
from domain.partner import Partner
from domain.service_account import ServiceAccount
from domain.user import User
from domain.values import Actor, ActorKind

IDLE = timedelta(hours=8)
ABSOLUTE = timedelta(days=7)
# A session's last use is written at most this often (not on every page view).
TOUCH_EVERY = timedelta(minutes=1)
# Who signs in to the console: people who read customers (importers are machines).
PEOPLE = frozenset({ActorKind.MSP, ActorKind.DISTRIBUTOR, ActorKind.AUDITOR, ActorKind.ADMIN})
ADMIN_KEY_ID = "admin"
USER_KEY_ID = "user"  # a person's session, opened from a sign-in link: no key


@dataclass(frozen=True)
class Session:
    token_hash: str
    actor: Actor
    csrf_token: str
    key_id: str  # the key's id on its holder, or "admin"
    key_hash: str  # SHA-256 of the key's secret (of the admin token for the admin)
    created_at: datetime
    last_seen_at: datetime
    position: int = 0  # the newest position the session's writes reached

    def expired(self, now: datetime) -> bool:
        return now >= self.created_at + ABSOLUTE or now >= self.last_seen_at + IDLE


@dataclass(frozen=True)
class Opened:
    token: str  # given to the browser once; only its hash is kept
    session: Session


class SessionRecords(Protocol):
    def insert(self, session: Session) -> None: ...

    def get(self, token_hash: str) -> Session | None: ...

    def touch(self, token_hash: str, at: datetime) -> None: ...

    def reached(self, token_hash: str, position: int) -> None:
        """The session's writes reached ``position`` (kept if newer than the last)."""
        ...

    def delete(self, token_hash: str) -> None: ...

    def purge(self, now: datetime) -> int:
        """Delete sessions expired at ``now``; how many went."""
        ...


class Refused(Exception):
    """A key that works but whose holder does not sign in to the console."""


@dataclass(eq=False)
class ConsoleSessions:
    auth: Authenticator
    uow: UnitOfWork
    records: SessionRecords
    clock: Clock
    _: KW_ONLY
    new_token: Callable[[], str] = new_token

    def open(self, key: str) -> Opened | None:
        """A new session for ``key``'s holder; None for a key that names nobody.
        ``Refused`` for a service's key (the importer)."""
        actor = self.auth.authenticate(key)
        if actor is None:
            return None
        if actor.kind not in PEOPLE:
            raise Refused(f"a key of kind {actor.kind.value} does not sign in to the console")
        parsed = parse_key(key)
        key_id, secret = (parsed.key_id, parsed.secret) if parsed else (ADMIN_KEY_ID, key)
        return self._opened(actor, key_id, hash_secret(secret))

    def open_for(self, user: User) -> Opened:
        """A new session for ``user``, who followed a sign-in link."""
        return self._opened(user.actor, USER_KEY_ID, "")

    def _opened(self, actor: Actor, key_id: str, key_hash: str) -> Opened:
        token, now = self.new_token(), self.clock.now()
        session = Session(
            token_hash=digest(token),
            actor=actor,
            csrf_token=secrets.token_urlsafe(32),
            key_id=key_id,
            key_hash=key_hash,
            created_at=now,
            last_seen_at=now,
        )
        self.records.insert(session)
        return Opened(token, session)

    def resolve(self, token: str) -> Session | None:
        """The live session of ``token``, its last use moved to now; None if it ended."""
        session = self.records.get(digest(token))
        if session is None:
            return None
        now = self.clock.now()
        if session.expired(now) or not self._key_works(session):
            self.records.delete(session.token_hash)
            return None
        if now - session.last_seen_at >= TOUCH_EVERY:
            self.records.touch(session.token_hash, now)
            session = replace(session, last_seen_at=now)
        return session

    def wrote(self, session: Session, position: int | None) -> None:
        """The session's write reached ``position``: its next pages reflect it, whichever
        process serves them."""
        if position is not None and position > session.position:
            self.records.reached(session.token_hash, position)

    def close(self, token: str) -> None:
        self.records.delete(digest(token))

    def purge(self) -> int:
        return self.records.purge(self.clock.now())

    def _key_works(self, session: Session) -> bool:
        if session.actor.user_id is not None:
            return self._user_stays(session.actor)
        if session.actor.kind is ActorKind.ADMIN:
            admin = self.auth.admin_token
            return admin is not None and hmac.compare_digest(hash_secret(admin), session.key_hash)
        holder_kind = _HOLDERS.get(session.actor.kind)
        if holder_kind is None:
            return False
        try:
            holder = self.uow.load(holder_kind, UUID(session.actor.id))
        except (NotFound, ValueError):
            return False
        stored = holder.state.keys.get(session.key_id, "")
        return bool(stored) and hmac.compare_digest(stored, session.key_hash)

    def _user_stays(self, actor: Actor) -> bool:
        """The person is still a user of the partner the session acts for."""
        assert actor.user_id is not None
        user = self.uow.find(User, actor.user_id)
        return user is not None and not user.removed and user.actor == actor


digest = token_hash  # a session token's SHA-256, as kept


_HOLDERS: dict[ActorKind, type[KeyHolder]] = {
    ActorKind.MSP: Partner,
    ActorKind.DISTRIBUTOR: Partner,
    ActorKind.AUDITOR: ServiceAccount,
}
