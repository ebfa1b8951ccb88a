"""When a webhook delivery is tried again (``next_attempt``: the schedule, its jitter and
the receiver's ``Retry-After``), and the email that tells an endpoint's alert address it
was disabled (``disabled_endpoint_email``)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from html import escape

from application.emails import MAIL_DOMAIN
from application.mail import Email
from application.webhook_ports import Answer
from domain.webhook_endpoint import WebhookEndpoint

SCHEDULE = tuple(
    timedelta(seconds=s) for s in (5, 300, 1800, 7200, 18_000, 36_000, 36_000)
)  # after failed attempt 1, 2, …
JITTER = 0.1
LONGEST_RETRY_AFTER = timedelta(hours=24)
GONE, TOO_MANY, UNAVAILABLE = 410, 429, 503


def next_attempt(number: int, answer: Answer, now: datetime) -> datetime | None:
    """When to try again after failed attempt ``number`` (None: no more tries)."""
    if number > len(SCHEDULE):
        return None
    delay = SCHEDULE[number - 1] * (1 + random.uniform(0, JITTER))  # noqa: S311
    if answer.status in (TOO_MANY, UNAVAILABLE) and answer.retry_after_s is not None:
        asked = min(timedelta(seconds=answer.retry_after_s), LONGEST_RETRY_AFTER)
        delay = max(delay, asked)
    return now + delay


def disabled_endpoint_email(endpoint: WebhookEndpoint, reason: str, now: datetime) -> Email | None:
    """The email to the endpoint's alert address saying it was disabled (None: it has none)."""
    to = endpoint.state.alert_email
    if to is None:
        return None
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
    return email
