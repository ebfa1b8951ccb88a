"""API keys kept only as hashes: shared by partners and service accounts."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from domain.aggregate import DomainEvent, Stateful
from domain.errors import Forbidden, InvalidState
from domain.values import Actor, ActorKind


def hash_secret(secret: str) -> str:
    """Keys are 256-bit random secrets, so one SHA-256 is enough (no stretching)."""
    return hashlib.sha256(secret.encode()).hexdigest()


class KeyRingState(BaseModel):
    model_config = ConfigDict(extra="forbid")
    keys: dict[str, str] = {}
    # When each key held was issued; absent for keys of a snapshot taken before this was
    # kept (a key's listing then shows no issue time).
    issued_at: dict[str, datetime] = {}


class KeyIssued(DomainEvent):
    key_id: str
    key_hash: str

    def apply(self, aggregate: Any) -> None:
        state = aggregate.state
        state.keys = {**state.keys, self.key_id: self.key_hash}
        state.issued_at = {**state.issued_at, self.key_id: self.timestamp}


class KeyRevoked(DomainEvent):
    key_id: str

    def apply(self, aggregate: Any) -> None:
        state = aggregate.state
        state.keys = {k: v for k, v in state.keys.items() if k != self.key_id}
        state.issued_at = {k: v for k, v in state.issued_at.items() if k != self.key_id}


class KeyHolder(Stateful[Any]):
    """An aggregate that holds API keys; subclasses name the concrete events (and their
    state, a ``KeyRingState``)."""

    state: KeyRingState
    ApiKeyIssued: type[KeyIssued]
    ApiKeyRevoked: type[KeyRevoked]

    def issue_api_key(self, *, key_id: str, secret: str, at: Any, by: Actor) -> None:
        if key_id in self.state.keys:
            raise InvalidState("issue this key", "already holding a key with that id")
        self._trigger(
            self.ApiKeyIssued(**self._envelope(at, by), key_id=key_id, key_hash=hash_secret(secret))
        )

    def revoke_api_key(self, *, key_id: str, at: Any, by: Actor) -> None:
        """The admin revokes any key; a holder revokes its own (a leaked one, say)."""
        if by.kind is not ActorKind.ADMIN and not self.is_actor(by):
            raise Forbidden("only the admin or the key's holder revokes a key")
        if key_id not in self.state.keys:
            raise InvalidState("revoke this key", "not holding it")
        self._trigger(self.ApiKeyRevoked(**self._envelope(at, by), key_id=key_id))

    def is_actor(self, by: Actor) -> bool:
        """Whether ``by`` is this holder itself."""
        return by.id == str(self.id) and by.kind is not ActorKind.ADMIN

    def holds_key(self, key_id: str) -> bool:
        return key_id in self.state.keys

    def verify_api_key(self, key_id: str, secret: str) -> bool:
        stored = self.state.keys.get(key_id, "")
        return hmac.compare_digest(stored, hash_secret(secret)) and bool(stored)
