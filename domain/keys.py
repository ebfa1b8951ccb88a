"""API keys kept only as hashes: shared by partners and service accounts."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from pydantic import BaseModel, ConfigDict

from domain.aggregate import DomainEvent, Stateful
from domain.errors import InvalidState
from domain.values import Actor


def hash_secret(secret: str) -> str:
    """Keys are 256-bit random secrets, so one SHA-256 is enough (no stretching)."""
    return hashlib.sha256(secret.encode()).hexdigest()


class KeyRingState(BaseModel):
    model_config = ConfigDict(extra="forbid")
    keys: dict[str, str] = {}


class KeyIssued(DomainEvent):
    key_id: str
    key_hash: str

    def apply(self, aggregate: Any) -> None:
        aggregate.state.keys = {**aggregate.state.keys, self.key_id: self.key_hash}


class KeyRevoked(DomainEvent):
    key_id: str

    def apply(self, aggregate: Any) -> None:
        aggregate.state.keys = {k: v for k, v in aggregate.state.keys.items() if k != self.key_id}


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
        if key_id not in self.state.keys:
            raise InvalidState("revoke this key", "not holding it")
        self._trigger(self.ApiKeyRevoked(**self._envelope(at, by), key_id=key_id))

    def verify_api_key(self, key_id: str, secret: str) -> bool:
        stored = self.state.keys.get(key_id, "")
        return hmac.compare_digest(stored, hash_secret(secret)) and bool(stored)
