"""The idempotency store's port: the first answer to (principal, Idempotency-Key), kept
for replay (adapters/idempotency_store.py keeps it in SQL, sealed)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: list[tuple[str, str]]


class Claim(Enum):
    STARTED = "started"
    IN_PROGRESS = "in-progress"
    REUSED = "reused"
    REPLAY = "replay"


class IdempotencyStore(Protocol):
    def claim(self, principal: str, key: str, request_hash: str) -> tuple[Claim, Answer | None]: ...
    def finish(self, principal: str, key: str, request_hash: str, answer: Answer) -> None: ...
    def release(self, principal: str, key: str) -> None: ...
    def keep_secret(self, principal: str, key: str, secret: str) -> None: ...
    def kept_secret(self, principal: str, key: str) -> str | None: ...
    def close(self) -> None: ...
