"""Sending the deliveries: lease what is due, sign it, post it, keep the attempt, and
decide the next one.

Retries follow the schedule after each failure (a non-2xx, a 3xx included, a timeout,
no connection): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, each with up to 10 % jitter
and never sooner than a 429's or 503's ``Retry-After``; then the delivery has failed.
``410 Gone`` disables the endpoint. An endpoint failing for ``FAILING_LIMIT`` without
one success is disabled, and its alert address emailed once (the disabling event is
recorded once). Retry instants are on the service's clock (the test clock moves them);
``webhook-timestamp`` is the wall clock's, which receivers compare with theirs.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape
from uuid import UUID

from application.clock import Clock
from application.emails import MAIL_DOMAIN
from application.errors import NotFound
from application.mail import Email, MailError, MailTransport
from application.unit_of_work import UnitOfWork
from application.webhook_endpoints import WebhookEndpoints
from application.webhook_messages import headers
from application.webhook_payloads import Occurrence, payload
from application.webhook_ports import (
    CANCELLED,
    DELIVERED,
    FAILED,
    PENDING,
    Answer,
    Attempt,
    Delivery,
    DeliveryQueue,
    WebhookSender,
)
from domain.errors import DomainError
from domain.values import Actor, ActorKind
from domain.webhook_endpoint import WebhookEndpoint

log = logging.getLogger(__name__)

SCHEDULE = tuple(
    timedelta(seconds=s) for s in (5, 300, 1800, 7200, 18_000, 36_000, 36_000)
)  # after failed attempt 1, 2, …
JITTER = 0.1
LONGEST_RETRY_AFTER = timedelta(hours=24)
FAILING_LIMIT = timedelta(days=3)
LEASE_S = 30.0  # twice as long as one attempt can take (15 s)
SENDER = Actor(kind=ActorKind.SYSTEM, id="webhook-sender")
GONE, TOO_MANY, UNAVAILABLE = 410, 429, 503


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def next_attempt(number: int, answer: Answer, now: datetime) -> datetime | None:
    """When to try again after failed attempt ``number`` (None: no more tries)."""
    if number > len(SCHEDULE):
        return None
    delay = SCHEDULE[number - 1] * (1 + random.uniform(0, JITTER))  # noqa: S311
    if answer.status in (TOO_MANY, UNAVAILABLE) and answer.retry_after_s is not None:
        asked = min(timedelta(seconds=answer.retry_after_s), LONGEST_RETRY_AFTER)
        delay = max(delay, asked)
    return now + delay


@dataclass(kw_only=True, eq=False)
class WebhookDispatcher:
    queue: DeliveryQueue
    sender: WebhookSender
    endpoints: WebhookEndpoints
    uow: UnitOfWork
    clock: Clock
    mail: MailTransport
    wall: Callable[[], float] = time.time
    owner: str = field(default_factory=_worker_name)
    sent: int = 0
    failed: int = 0

    def due(self, limit: int, busy: set[UUID]) -> list[Delivery]:
        """Deliveries due now, leased to this worker: one per endpoint, none for the
        endpoints in ``busy`` (their attempt under way here waits for its answer)."""
        taken: list[Delivery] = []
        seen = set(busy)
        for delivery in self.queue.due(self.clock.now(), limit):
            if delivery.endpoint_id in seen:
                continue
            if self.queue.claim(delivery.id, self.owner, self.wall() + LEASE_S):
                seen.add(delivery.endpoint_id)
                taken.append(delivery)
        return taken

    def deliver(self, delivery: Delivery) -> Answer | None:
        """One attempt of a leased delivery; its answer (None: not attempted)."""
        try:
            endpoint = self.uow.load(WebhookEndpoint, delivery.endpoint_id)
        except NotFound:
            endpoint = None
        if endpoint is None or endpoint.state.deleted or endpoint.state.disabled:
            self.queue.cancel(delivery.id)
            return None
        payload = self.payload(delivery)
        now = self.clock.now()
        secrets = [
            self.endpoints.secrets.open(endpoint.id, s) for s in endpoint.signing_secrets(now)
        ]
        sent = headers(secrets, delivery.id, int(self.wall()), payload)
        answer = self.sender.post(endpoint.state.url, sent, payload)
        self.settle(delivery, endpoint, answer, now)
        return answer

    def payload(self, delivery: Delivery) -> bytes:
        occurrence = Occurrence(
            delivery.customer_id, delivery.customer_version, delivery.event_type, delivery.position
        )
        return payload(self.uow, occurrence)

    def settle(
        self, delivery: Delivery, endpoint: WebhookEndpoint, answer: Answer, now: datetime
    ) -> None:
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
            self.queue.record(attempt, status=DELIVERED, next_attempt_at=None)
            return
        self.failed += 1
        later = None if answer.status == GONE else next_attempt(number, answer, now)
        status = PENDING if later is not None else FAILED
        failing_since = self.queue.record(attempt, status=status, next_attempt_at=later)
        if answer.status == GONE:
            self.endpoints.disable_failing(endpoint.id, "the endpoint answered 410 Gone", SENDER)
        elif failing_since is not None and now - failing_since >= FAILING_LIMIT:
            reason = f"failing since {failing_since.isoformat()} without a success"
            if self.endpoints.disable_failing(endpoint.id, reason, SENDER):
                self.alert(endpoint, reason, now)

    def alert(self, endpoint: WebhookEndpoint, reason: str, now: datetime) -> None:
        """Tell the endpoint's alert address that it was disabled (once: only the call
        that recorded the disabling sends it)."""
        to = endpoint.state.alert_email
        if to is None:
            return
        url = endpoint.state.url
        text = (
            f"Tenantry disabled your webhook endpoint {url} ({endpoint.id}): it has been "
            f"{reason}. Fix the receiver, then enable the endpoint again "
            "(PATCH /v1/webhook-endpoints/{id} with disabled: false) and redeliver what it missed."
        )
        email = Email(
            to=to,
            subject="Your Tenantry webhook endpoint was disabled",
            text=text + "\n",
            html=f"<p>{escape(text)}</p>",
            message_id=f"<webhook-disabled.{endpoint.id.hex}@{MAIL_DOMAIN}>",
            sent_at=now,
        )
        try:
            self.mail.send(email)
        except MailError:
            log.exception("the disabled-endpoint email for %s was not sent", endpoint.id)

    def redeliver(self, delivery_id: str, *, by: Actor) -> Delivery:
        delivery = self.visible(delivery_id, by)
        if self.uow.load(WebhookEndpoint, delivery.endpoint_id).state.disabled:
            raise DomainError("the endpoint is disabled: enable it before redelivering")
        self.queue.redeliver(delivery.id, self.clock.now())
        found = self.queue.get(delivery.id)
        assert found is not None
        return found

    def visible(self, delivery_id: str, by: Actor) -> Delivery:
        delivery = self.queue.get(delivery_id)
        if delivery is None:
            raise NotFound(f"no webhook delivery {delivery_id}")
        self.endpoints.load_visible(delivery.endpoint_id, by)  # 404 to whom may not see it
        return delivery

    def of_endpoint(
        self, endpoint_id: UUID, *, by: Actor, limit: int
    ) -> list[tuple[Delivery, list[Attempt]]]:
        self.endpoints.load_visible(endpoint_id, by)
        deliveries = self.queue.of_endpoint(endpoint_id, limit)
        attempts = self.queue.attempts([d.id for d in deliveries])
        return [(d, attempts[d.id]) for d in deliveries]


__all__ = ["CANCELLED", "WebhookDispatcher", "next_attempt"]
