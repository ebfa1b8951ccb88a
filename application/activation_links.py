"""Activation links: HMAC-signed tokens, so no usable secret is stored anywhere.

A token names the customer and the link version; its MAC proves the server made
it. Reissuing bumps the version, which retires the previous token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from uuid import UUID

from application.errors import NotFound

MAC_LENGTH = 32
UNKNOWN = (
    "this link is not known: check that you copied all of it, or ask your partner for a new link"
)


@dataclass(frozen=True)
class LinkToken:
    customer_id: UUID
    link_version: int


class LinkSigner:
    def __init__(self, secret: bytes, public_url: str) -> None:
        if len(secret) < 16:
            raise ValueError("the link secret must have at least 16 bytes")
        self.secret = secret
        self.public_url = public_url.rstrip("/")

    def token(self, customer_id: UUID, link_version: int) -> str:
        body = f"{customer_id.hex}.{link_version}"
        return f"{body}.{self._mac(body)}"

    def url(self, customer_id: UUID, link_version: int) -> str:
        return f"{self.public_url}/activate/{self.token(customer_id, link_version)}"

    def parse(self, token: str) -> LinkToken:
        parts = token.split(".")
        if len(parts) != 3:
            raise NotFound(UNKNOWN)
        body = f"{parts[0]}.{parts[1]}"
        if not hmac.compare_digest(parts[2].encode(), self._mac(body).encode()):
            raise NotFound(UNKNOWN)
        return LinkToken(UUID(hex=parts[0]), int(parts[1]))

    def _mac(self, body: str) -> str:
        digest = hmac.new(self.secret, body.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:MAC_LENGTH]
