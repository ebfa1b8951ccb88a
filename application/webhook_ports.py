"""The ports the webhooks need: sealing their secrets, the outbound sender, and the
queue of deliveries (the projection fills it from the events; adapters lease it)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID


class SecretBox(Protocol):
    """Seals secrets the service must read back (adapters/sealing.py)."""

    def seal(self, plain: bytes, bound_to: bytes) -> bytes: ...

    def open(self, sealed: bytes, bound_to: bytes) -> bytes | None: ...


class UnsafeUrl(Exception):
    """An endpoint URL the service will not send to (not HTTPS, or a private address)."""


@dataclass(frozen=True)
class Answer:
    """What the receiver answered (``status`` None: no answer: ``error`` says why)."""

    status: int | None
    duration_ms: int
    excerpt: str = ""  # the first 1 KB of the answer's body
    retry_after_s: float | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class WebhookSender(Protocol):
    """Posts one signed delivery (adapters/webhook_sender.py)."""

    def check(self, url: str) -> None:
        """Raise ``UnsafeUrl`` if ``url`` may not be sent to (resolved now)."""
        ...

    def post(self, url: str, headers: dict[str, str], body: bytes) -> Answer: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Delivery:
    """One event for one endpoint; ``id`` is its ``webhook-id``."""

    id: str
    endpoint_id: UUID
    partner_id: UUID
    customer_id: UUID
    customer_version: int
    position: int
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    last_status_code: int | None = None


@dataclass(frozen=True)
class Attempt:
    delivery_id: str
    number: int
    at: datetime  # the service's clock
    status_code: int | None
    duration_ms: int
    excerpt: str
    error: str | None


PENDING, DELIVERED, FAILED, CANCELLED = "pending", "delivered", "failed", "cancelled"
# An attempt, the delivery's status after it, and when it is next due (None: never).
Outcome = tuple[Attempt, str, datetime | None]


class DeliveryQueue(Protocol):
    """The deliveries and their attempts (adapters/webhook_queue.py)."""

    def lease(  # noqa: PLR0913
        self,
        now: datetime,
        *,
        endpoints: int,
        per_endpoint: int,
        skip: Collection[UUID],
        owner: str,
        until: float,
    ) -> list[Delivery]:
        """Lease to ``owner``, until the wall-clock time ``until``, the first due pending
        deliveries (at most ``per_endpoint`` each) of at most ``endpoints`` endpoints
        that have no attempt under way and are not in ``skip`` (those waiting longest
        first); what was taken, in due order."""
        ...

    def lease_more(
        self, endpoint_id: UUID, now: datetime, *, limit: int, owner: str, until: float
    ) -> list[Delivery]:
        """Lease to ``owner`` the first due pending deliveries of one endpoint (at most
        ``limit``) that nobody holds, in due order: the endpoint's sender goes on."""
        ...

    def renew(self, delivery_ids: Sequence[str], owner: str, until: float) -> None:
        """Hold ``owner``'s leases on these until ``until``."""
        ...

    def release(self, delivery_ids: Sequence[str], owner: str) -> None:
        """Give up ``owner``'s leases on these (still pending, due as they were)."""
        ...

    def record(self, endpoint_id: UUID, outcomes: Sequence[Outcome]) -> datetime | None:
        """Keep one endpoint's attempts, in the order made, with each delivery's new
        status and next attempt, and release their leases; the instant since which
        the endpoint has been failing without a success (None: it is not failing)."""
        ...

    def cancel(self, delivery_ids: Sequence[str]) -> None: ...

    def get(self, delivery_id: str) -> Delivery | None: ...

    def of_endpoint(self, endpoint_id: UUID, limit: int) -> list[Delivery]:
        """The endpoint's deliveries, newest first."""
        ...

    def attempts(self, delivery_ids: list[str]) -> dict[str, list[Attempt]]: ...

    def redeliver(self, delivery_id: str, now: datetime) -> None:
        """Pending again, due at ``now`` (its ``webhook-id`` stays)."""
        ...


class EndpointList(Protocol):
    """The endpoints' ids, from the views (projections/webhooks.py)."""

    def endpoint_ids(self, partner_id: UUID | None) -> list[UUID]:
        """Every live endpoint's (None), or one partner's, oldest first."""
        ...
