"""What a webhook delivery says, and how it is signed: Standard Webhooks, exactly.

The ``webhook-id`` is derived from the event and the endpoint, so every attempt (and
a redelivery) of one event to one endpoint carries the same id. The body is
``{"type", "timestamp", "data"}``: ``timestamp`` is when the change took effect, and
``data`` the customer after it with the event that changed it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Sequence
from typing import Any
from uuid import UUID, uuid5

from pydantic_core import to_jsonable_python

from application.dto import CustomerDTO
from domain.aggregate import DomainEvent
from domain.customer import Customer

EVENTS = UUID("8a3c1f6e-2b4d-5e7f-9a0b-1c2d3e4f5a6b")
DELIVERIES = UUID("4e1d2c3b-5a6f-5b8c-9d0e-7f6a5b4c3d2e")
MAX_BODY = 20 * 1024  # bytes: a body larger drops its oldest log entries until it fits
WHSEC = "whsec_"


def event_id(aggregate_id: UUID, version: int) -> UUID:
    """The stable id of the event at ``version`` of an aggregate's history."""
    return uuid5(EVENTS, f"{aggregate_id}:{version}")


def webhook_id(event: UUID, endpoint_id: UUID) -> str:
    return f"msg_{uuid5(DELIVERIES, f'{event}:{endpoint_id}').hex}"


def body(customer: Customer, event: DomainEvent, event_type: str, position: int) -> bytes:
    """The delivery's JSON body (under ``MAX_BODY`` bytes)."""
    data = CustomerDTO.of(customer).model_dump(mode="json", exclude={"actions"})
    data["event"] = {
        "id": str(event_id(event.originator_id, event.originator_version)),
        **to_jsonable_python(event.envelope()),
        "type": event_type,  # the webhook's name for it, not the class's
        "position": position,
    }
    message = {"type": event_type, "timestamp": data["event"]["effective_at"], "data": data}
    encoded = _encode(message)
    onboarding = data["onboarding"]
    while len(encoded) >= MAX_BODY and (onboarding["event_log"] or onboarding["import_errors"]):
        longer = "event_log" if onboarding["event_log"] else "import_errors"
        onboarding[longer] = onboarding[longer][1:]
        encoded = _encode(message)
    return encoded


def _encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode()


def signature(secrets: Sequence[str], msg_id: str, timestamp: int, payload: bytes) -> str:
    """``v1,<base64 HMAC-SHA256>`` of ``id.timestamp.body`` under each secret (its base64
    after ``whsec_``), space-separated, newest first."""
    signed = f"{msg_id}.{timestamp}.".encode() + payload
    return " ".join(
        "v1," + base64.b64encode(hmac.digest(_key(s), signed, hashlib.sha256)).decode()
        for s in reversed(secrets)
    )


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(WHSEC))


def headers(secrets: Sequence[str], msg_id: str, timestamp: int, payload: bytes) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "user-agent": "Tenantry-Webhooks/1",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secrets, msg_id, timestamp, payload),
    }
