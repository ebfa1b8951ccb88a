"""Sealed at rest: AES-GCM under a key derived from the service secret.

The stored answers of Idempotency-Keys (which may carry an API key shown once) are
sealed with a key derived (HKDF-SHA256) from ``TENANTRY_SECRET_KEY``. Each sealed value
is bound to its row (the associated data), so it cannot be moved to another one; a value
sealed under another secret (after a rotation) does not open, and reads as absent.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE_BYTES = 12


class Sealer:
    def __init__(self, secret: bytes, purpose: bytes) -> None:
        key = HKDF(algorithm=SHA256(), length=32, salt=None, info=purpose).derive(secret)
        self._aead = AESGCM(key)

    def seal(self, plain: bytes, bound_to: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plain, bound_to)

    def open(self, sealed: bytes, bound_to: bytes) -> bytes | None:
        """The plain value, or None if it was sealed under another key or for another row."""
        try:
            return self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], bound_to)
        except (InvalidTag, ValueError):
            return None
