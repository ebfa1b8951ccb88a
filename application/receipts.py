"""Receipts: what a command run under an Idempotency-Key did, saved with its events.

A command that records events while a request with an Idempotency-Key is served saves,
in the same ``save()`` (one transaction on every backend), the next event of a small
``Receipt`` aggregate whose id is derived from (principal, key): the request's hash,
and the aggregate and version the command reached. So the key's effect and the
command's events are one fact: a retry after any crash finds the receipt and answers
from the aggregate as of that version instead of deciding again, and two runs of one
key cannot both land (the second conflicts on the receipt's version).

A receipt is honoured for ``RECEIPT_TTL``; after that the key starts afresh (the
receipt's next version). Refusals and no-ops record nothing, so they keep no receipt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar
from uuid import UUID, uuid5

from pydantic import BaseModel, ConfigDict

from application.errors import KeyReused
from domain.aggregate import Aggregate, DomainEvent
from domain.values import SYSTEM

RECEIPT_TTL = timedelta(hours=24)
NAMESPACE = UUID("0f8e5d4a-6c1b-5b7e-9a53-3d2f1c0b9e71")


def _no_secret(_: str) -> None:
    return None


def _nothing_kept() -> str | None:
    return None


@dataclass
class Asked:
    """The Idempotency-Key of the request being served, and its kept secret.

    ``keep_secret`` durably keeps (sealed) a secret the command is about to show once
    (an API key) before the command commits; ``kept_secret`` reads it back, so a retry
    after a crash answers the same key. Both are the idempotency store's.

    The key is the request's first command's: once that command is done (``spent``),
    later ones in the request (the test clock settling what fell due) run as without it.
    """

    principal: str
    key: str
    request_hash: str
    keep_secret: Callable[[str], None] = _no_secret
    kept_secret: Callable[[], str | None] = _nothing_kept
    spent: bool = field(default=False, init=False)

    @property
    def receipt_id(self) -> UUID:
        return receipt_id(self.principal, self.key)


def receipt_id(principal: str, key: str) -> UUID:
    return uuid5(NAMESPACE, f"{principal}\0{key}")


_ASKED: ContextVar[Asked | None] = ContextVar("tenantry_idempotency_key", default=None)


def asked() -> Asked | None:
    """The Idempotency-Key for the command this thread runs: its request's, if any and
    not spent."""
    request = _ASKED.get()
    return None if request is None or request.spent else request


def served() -> Asked | None:
    """The Idempotency-Key of the request this thread serves, spent or not."""
    return _ASKED.get()


@contextmanager
def serving(request: Asked) -> Iterator[None]:
    """Commands run inside are recorded with a receipt for ``request``. Context variables
    follow the request into the worker thread its endpoint runs in."""
    token = _ASKED.set(request)
    try:
        yield
    finally:
        _ASKED.reset(token)


class ReceiptState(BaseModel):
    model_config = ConfigDict(extra="forbid")
    request_hash: str
    aggregate_id: UUID
    aggregate_version: int
    recorded_at: datetime


class Receipt(Aggregate):
    """The last command done under one (principal, Idempotency-Key)."""

    SNAPSHOT_TOPIC: ClassVar[str] = "IdempotencyReceipt"
    state: ReceiptState | None

    def __init__(self, id: UUID, created_on: datetime) -> None:  # noqa: A002
        super().__init__(id, created_on)
        self.state = None

    class Recorded(DomainEvent):
        TOPIC = "IdempotencyReceipt.Recorded"
        request_hash: str
        aggregate_id: UUID
        aggregate_version: int

        def mutate(self, aggregate: Any) -> Receipt:
            if aggregate is None:
                aggregate = Receipt(self.originator_id, self.timestamp)
            receipt: Receipt = super().mutate(aggregate)
            return receipt

        def apply(self, aggregate: Any) -> None:
            aggregate.state = ReceiptState(
                request_hash=self.request_hash,
                aggregate_id=self.aggregate_id,
                aggregate_version=self.aggregate_version,
                recorded_at=self.recorded_at,
            )

    def done(self, request: Asked, now: datetime) -> ReceiptState | None:
        """What the command did for ``request``, if it is done and still honoured.

        The same key with another request is refused, as the stored answer would be."""
        s = self.state
        if s is None or now - s.recorded_at >= RECEIPT_TTL:
            return None
        if s.request_hash != request.request_hash:
            raise KeyReused("this Idempotency-Key was used with another request; use a new key")
        return s

    def record(self, request: Asked, aggregate: Aggregate, at: datetime) -> None:
        self._trigger(
            self.Recorded(
                **self._envelope(at, SYSTEM),
                request_hash=request.request_hash,
                aggregate_id=aggregate.id,
                aggregate_version=aggregate.version,
            )
        )

    def snapshot_state(self) -> dict[str, Any]:  # never snapshotted: one event a day at most
        raise NotImplementedError
