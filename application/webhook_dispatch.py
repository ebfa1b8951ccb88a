"""Sending the deliveries: lease what is due, sign it, post it, keep the attempts, and
decide the next ones.

What is due is leased in batches, one per endpoint (a few of its first due
deliveries), for several endpoints in one statement; a batch is sent one delivery
after another and its attempts kept together, and each event's body is built once for
all the endpoints that get it.

Retries follow the schedule after each failure (a non-2xx, a 3xx included, a timeout,
no connection): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, each with up to 10 % jitter
and never sooner than a 429's or 503's ``Retry-After``; then the delivery has failed.
``410 Gone`` disables the endpoint. An endpoint failing for ``FAILING_LIMIT`` without
one success is disabled, and its alert address (without one: its partner's active admin
users) emailed once: the disabling event is recorded once, and only the call that
recorded it sends (``webhook_alerts``). Retry instants are on the service's clock (the
test clock moves them); ``webhook-timestamp`` is the wall clock's, which receivers
compare with theirs.

One piece (a little over 250 lines): leasing, sending and keeping a batch share its lease
and its clock; the retry schedule is in ``webhook_retries``, whom a disabling is told and
its email in ``webhook_alerts``, the API's lookups and redelivery in ``webhook_requests``.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from application.clock import Clock
from application.mail import MailTransport
from application.unit_of_work import UnitOfWork
from application.users import UserDirectory
from application.webhook_alerts import DisablementAlerts
from application.webhook_endpoints import WebhookEndpoints
from application.webhook_messages import headers
from application.webhook_payloads import Occurrence, SharedPayloads
from application.webhook_ports import (
    CANCELLED,
    DELIVERED,
    FAILED,
    PENDING,
    Answer,
    Attempt,
    Delivery,
    DeliveryQueue,
    Outcome,
    WebhookSender,
)
from application.webhook_requests import DeliveryRequests
from application.webhook_retries import (
    GONE,
    JITTER,
    SCHEDULE,
    next_attempt,
)
from domain.values import Actor, ActorKind
from domain.webhook_endpoint import WebhookEndpoint

FAILING_LIMIT = timedelta(days=3)
LEASE_S = 30.0  # twice as long as one attempt can take (15 s); renewed in a long batch
PER_ENDPOINT = 50  # deliveries leased together for one endpoint, sent one after another
GO_ON_S = 2.0  # a sender goes on with its endpoint's next batches for this long
SLICE_S = 2.0  # and holds a batch no longer (a slow receiver's rest goes back)
FLUSH_S = 1.0  # a batch's attempts are kept at least this often
SENDER = Actor(kind=ActorKind.SYSTEM, id="webhook-sender")


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class Batch:
    """Deliveries of one endpoint, in due order, leased until ``until`` (wall clock)."""

    deliveries: tuple[Delivery, ...]
    until: float

    @property
    def endpoint_id(self) -> UUID:
        return self.deliveries[0].endpoint_id


def _occurrence(delivery: Delivery) -> Occurrence:
    return Occurrence(
        delivery.customer_id, delivery.customer_version, delivery.event_type, delivery.position
    )


@dataclass(kw_only=True, eq=False)
class WebhookDispatcher(DeliveryRequests):
    queue: DeliveryQueue
    sender: WebhookSender
    endpoints: WebhookEndpoints
    uow: UnitOfWork
    clock: Clock
    mail: MailTransport
    users: UserDirectory  # whom to tell when an endpoint without an alert address is disabled
    wall: Callable[[], float] = time.time
    owner: str = field(default_factory=_worker_name)
    sent: int = 0
    failed: int = 0
    payloads: SharedPayloads = field(init=False)
    alerts: DisablementAlerts = field(init=False)

    def __post_init__(self) -> None:
        self.payloads = SharedPayloads(self.uow)
        self.alerts = DisablementAlerts(self.uow, self.users, self.mail)

    def lease(
        self, endpoints: int, busy: Collection[UUID], per_endpoint: int = PER_ENDPOINT
    ) -> list[Batch]:
        """Lease to this worker what is due now for at most ``endpoints`` endpoints, none
        of those in ``busy`` (their attempts under way here wait for their answers): a
        batch of up to ``per_endpoint`` deliveries for each, in due order."""
        until = self.wall() + LEASE_S
        taken = self.queue.lease(
            self.clock.now(),
            endpoints=endpoints,
            per_endpoint=per_endpoint,
            skip=busy,
            owner=self.owner,
            until=until,
        )
        batches: dict[UUID, list[Delivery]] = {}
        for delivery in taken:
            batches.setdefault(delivery.endpoint_id, []).append(delivery)
        return [Batch(tuple(b), until) for b in batches.values()]

    def due(self, limit: int, busy: Collection[UUID]) -> list[Delivery]:
        """Deliveries due now, leased to this worker: one per endpoint (``lease``)."""
        return [b.deliveries[0] for b in self.lease(limit, busy, per_endpoint=1)]

    def deliver_batch(
        self,
        batch: Batch,
        stopping: Callable[[], bool] = lambda: False,
        *,
        go_on_for: float = 0.0,
    ) -> list[Answer]:
        """Attempt a leased batch of one endpoint's deliveries, one after another; the
        answers, in order. The attempts are kept together (at least every ``FLUSH_S``).
        A failure ends the batch: the rest is released, due as it was, and leased
        again (by then the endpoint may be disabled, and they are cancelled). So do a
        change to the endpoint while the batch goes on, the process stopping, and
        ``SLICE_S`` (or ``go_on_for``) passing: a slow receiver holds a sender for one
        attempt past it at most, then the endpoints that waited longest come first.

        ``go_on_for``: when the whole batch succeeded, lease the endpoint's next due
        deliveries and go on, until this many seconds have passed since the start
        (then the sender is free for whichever endpoint has waited longest)."""
        began = time.monotonic()
        ends = began + max(go_on_for, SLICE_S)
        answers: list[Answer] = []
        while True:
            sent = self._send_batch(batch, stopping, ends)
            answers += sent
            if len(sent) < len(batch.deliveries) or not sent[-1].ok or stopping():
                return answers
            if time.monotonic() - began >= go_on_for:
                return answers
            until = self.wall() + LEASE_S
            more = self.queue.lease_more(
                batch.endpoint_id,
                self.clock.now(),
                limit=len(batch.deliveries),
                owner=self.owner,
                until=until,
            )
            if not more:
                return answers
            batch = Batch(tuple(more), until)

    def _send_batch(self, batch: Batch, stopping: Callable[[], bool], ends: float) -> list[Answer]:
        endpoint = self._sendable(batch.endpoint_id)
        if endpoint is None:
            self.queue.cancel([d.id for d in batch.deliveries])
            return []
        bodies = self.payloads.bodies([_occurrence(d) for d in batch.deliveries])
        secrets = self._secrets(endpoint)
        until, kept_at = batch.until, time.monotonic()
        outcomes: list[Outcome] = []
        answers: list[Answer] = []
        try:
            for delivery, sent_body in zip(batch.deliveries, bodies, strict=True):
                rest = batch.deliveries[len(answers) :]
                if answers and (stopping() or not answers[-1].ok or time.monotonic() >= ends):
                    break
                if answers and time.monotonic() - kept_at >= FLUSH_S:
                    self._keep(endpoint, outcomes, answers[-1])
                    outcomes, kept_at = [], time.monotonic()
                    fresh = self._sendable(endpoint.id)
                    if fresh is None or fresh.version != endpoint.version:
                        break
                if until - self.wall() < LEASE_S / 2:  # less than one attempt's time left
                    until = self.wall() + LEASE_S
                    self.queue.renew([d.id for d in rest], self.owner, until)
                now = self.clock.now()
                sent = headers(secrets, delivery.id, int(self.wall()), sent_body)
                answer = self.sender.post(endpoint.state.url, sent, sent_body)
                answers.append(answer)
                outcomes.append(self.outcome(delivery, answer, now))
        finally:
            left = [d.id for d in batch.deliveries[len(answers) :]]
            try:
                self._keep(endpoint, outcomes, answers[-1] if answers else None)
            finally:
                self.queue.release(left, self.owner)
        return answers

    def _sendable(self, endpoint_id: UUID) -> WebhookEndpoint | None:
        endpoint = self.uow.find(WebhookEndpoint, endpoint_id)
        if endpoint is None or endpoint.state.deleted or endpoint.state.disabled:
            return None
        return endpoint

    def _secrets(self, endpoint: WebhookEndpoint) -> list[str]:
        now = self.clock.now()
        return [self.endpoints.secrets.open(endpoint.id, s) for s in endpoint.signing_secrets(now)]

    def payload(self, delivery: Delivery) -> bytes:
        return self.payloads.bodies([_occurrence(delivery)])[0]

    def outcome(self, delivery: Delivery, answer: Answer, now: datetime) -> Outcome:
        """The attempt ``answer`` makes, the delivery's status after it, its next try."""
        number = delivery.attempts + 1
        attempt = Attempt(
            delivery.id,
            number,
            now,
            answer.status,
            answer.duration_ms,
            answer.excerpt,
            answer.error,
        )
        if answer.ok:
            self.sent += 1
            return attempt, DELIVERED, None
        self.failed += 1
        later = None if answer.status == GONE else next_attempt(number, answer, now)
        return attempt, PENDING if later is not None else FAILED, later

    def _keep(
        self, endpoint: WebhookEndpoint, outcomes: Sequence[Outcome], last: Answer | None
    ) -> None:
        """Keep the attempts; disable the endpoint on a 410, or once it has failed for
        ``FAILING_LIMIT`` (only the last attempt of a batch can have failed)."""
        if not outcomes or last is None:
            return
        failing_since = self.queue.record(endpoint.id, outcomes)
        now = outcomes[-1][0].at
        if last.status == GONE:
            self.endpoints.disable_failing(endpoint.id, "the endpoint answered 410 Gone", SENDER)
        elif failing_since is not None and now - failing_since >= FAILING_LIMIT:
            reason = f"failing since {failing_since.isoformat()} without a success"
            disabled = self.endpoints.disable_failing(endpoint.id, reason, SENDER)
            if disabled is not None:  # this call recorded the disabling: it alone tells
                self.alerts.send(disabled, reason, now)


__all__ = ["CANCELLED", "JITTER", "SCHEDULE", "WebhookDispatcher", "next_attempt"]
