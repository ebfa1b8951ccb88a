"""A keyed MAC on every stored event, so history cannot be forged by writing the database.

Each event is stored with an HMAC-SHA256, under a key derived from the service's
secret (never stored in the database), over its aggregate id, version, topic and
state bytes. It is written as the first field of the stored JSON::

    {"_mac":"<64 hex digits>","timestamp":...}

so the stored state stays JSON, and the bytes the MAC covers are those bytes with
that field taken out. Someone who can write the database but lacks the key cannot
alter an event or insert one with a MAC that verifies.

State that is not JSON (compressed or encrypted by the library's ``COMPRESSOR_TOPIC``
or ``CIPHER_TOPIC``) is signed as it is stored, after the MAC's own object::

    {"_mac":"<64 hex digits>"}<the compressed or encrypted bytes>

so the MAC always covers the stored bytes, and the audit checks them without the
cipher's key.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import logging
from uuid import UUID

from application.errors import TamperedHistory

log = logging.getLogger(__name__)

PREFIX = b'{"_mac":"'
MAC_HEX = 64
EVENT_LABEL = b"tenantry event mac v1"
SEAL_LABEL = b"tenantry audit seal v1"
MISSING = "no MAC"
WRONG = "MAC does not match"


def derive(base: bytes, label: bytes) -> bytes:
    """A key for one purpose from the configured one (HMAC as the KDF, as in HKDF)."""
    return hmac.new(base, label, hashlib.sha256).digest()


def split(state: bytes) -> tuple[str | None, bytes]:
    """The MAC recorded in ``state`` (None if it has none), and the bytes it covers."""
    if not state.startswith(PREFIX):
        return None, state
    end = len(PREFIX) + MAC_HEX
    mac = state[len(PREFIX) : end].decode("ascii", "replace")
    if state[end : end + 1] != b'"':
        return mac, state  # malformed: the MAC cannot match these bytes
    rest = state[end + 1 :]  # after the closing quote
    if rest.startswith(b","):
        return mac, b"{" + rest[1:]
    if rest == b"}":
        return mac, b"{}"  # the state held nothing else
    if rest.startswith(b"}") and not rest.startswith(b"}{"):
        return mac, rest[1:]  # bytes that are not JSON, after the MAC's own object
    return mac, state  # malformed: the MAC cannot match these bytes


def with_mac(mac: str, payload: bytes) -> bytes:
    if not payload.startswith(b"{"):  # compressed or encrypted: never empty
        return PREFIX + mac.encode() + b'"}' + payload
    body = payload[1:]
    separator = b"" if body == b"}" else b","
    return PREFIX + mac.encode() + b'"' + separator + body


class EventMacs:
    """Signs events as they are stored and checks them as they are read."""

    def __init__(self, base_key: bytes) -> None:
        if len(base_key) < 16:
            raise ValueError("the audit key must be at least 16 bytes")
        self._key = derive(base_key, EVENT_LABEL)
        self.seal_key = derive(base_key, SEAL_LABEL)
        self._failures = itertools.count()
        self.failures = 0  # events read whose MAC did not verify

    def mac(self, originator_id: UUID | str, version: int, topic: str, payload: bytes) -> str:
        header = f"{originator_id}|{version}|{len(topic)}|{topic}|".encode()
        return hmac.digest(self._key, header + payload, "sha256").hex()  # OpenSSL's one-shot

    def sign(self, originator_id: UUID | str, version: int, topic: str, payload: bytes) -> bytes:
        return with_mac(self.mac(originator_id, version, topic, payload), payload)

    def problem(
        self, originator_id: UUID | str, version: int, topic: str, state: bytes
    ) -> str | None:
        """None when the MAC verifies, else what is wrong with it."""
        return self._verdict(originator_id, version, topic, *split(state))

    def _verdict(
        self, originator_id: UUID | str, version: int, topic: str, mac: str | None, payload: bytes
    ) -> str | None:
        if mac is None:
            return MISSING
        if not hmac.compare_digest(mac, self.mac(originator_id, version, topic, payload)):
            return WRONG
        return None

    def checked(self, originator_id: UUID | str, version: int, topic: str, state: bytes) -> bytes:
        """The bytes the MAC covers; raises ``TamperedHistory`` if it does not verify."""
        mac, payload = split(state)
        problem = self._verdict(originator_id, version, topic, mac, payload)
        if problem is not None:
            self.failures = next(self._failures) + 1
            log.error(
                "stored event %s v%d (%s) fails its integrity check: %s",
                originator_id,
                version,
                topic,
                problem,
            )
            raise TamperedHistory(originator_id, version, problem)
        return payload
