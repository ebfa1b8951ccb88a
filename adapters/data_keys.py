"""Each subject's data key: crypto-shredding of the personal fields of its events.

A subject is an aggregate whose events carry personal data (a customer, a user). Its
first event brings a random 256-bit key, stored in ``data_keys`` in the transaction
that stores the event (the recorders: adapters/library_shim.py on SQLite and in memory,
adapters/pg_recorder.py on PostgreSQL), itself encrypted (AES-GCM) under a key derived
from ``TENANTRY_MASTER_KEY`` when that is set. The mapper (adapters/mapper.py) seals
the event's ``PERSONAL_FIELDS`` with it (AES-GCM, bound to the subject and the field)
and opens them when the event is read. Erasing the subject's personal data stores
``PersonalDataErased`` and, in the same transaction, deletes the key (the row stays, a
tombstone with ``key`` NULL) and the subject's snapshots: from then on its personal
fields read as None, and the stored bytes (which the events' MACs and the audit chain
cover) never change.

Keys are kept in memory once read (an LRU of ``CACHE_SIZE``); a process forgets one as
soon as its views' follower reads the subject's ``PersonalDataErased``, and the
process that erased at once.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from collections import OrderedDict, deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import StoredEvent

CACHE_SIZE = 100_000
SEALED = "$sealed"  # a sealed value, in a stored event's JSON: {"$sealed": base64}
ERASED_TOPICS = frozenset({"Customer.PersonalDataErased"})
NONCE = 12
PLAIN, WRAPPED = b"\x00", b"\x01"  # how a stored key is kept: as it is, or encrypted


class Erased:
    """The subject's key was deleted (its personal data erased)."""


class Absent:
    """The subject never had a key (a history from before data keys)."""


ERASED = Erased()
ABSENT = Absent()
HINTS = 20_000  # subjects of selected notifications whose keys the next miss loads too


class KeyTable(Protocol):
    """Where the keys are stored: the event store's recorder."""

    def select_data_keys(self, subjects: Sequence[UUID]) -> dict[UUID, bytes | None]:
        """The stored key of each subject that has a row (None: erased)."""
        ...


@dataclass(frozen=True)
class KeyedStoredEvent(StoredEvent):
    """A stored event with what its recorder stores in the same transaction: the new
    data key of its subject (``new_key``: plain, stored), or the erasure of it."""

    new_key: tuple[bytes, bytes] | None = None
    erases: bool = False


def key_rows(
    stored: Sequence[StoredEvent], now: float
) -> list[tuple[UUID, bytes | None, float, float | None]]:
    """The ``data_keys`` rows (subject, key, created_at, erased_at) a save upserts."""
    rows: dict[UUID, tuple[UUID, bytes | None, float, float | None]] = {}
    for e in stored:
        if not isinstance(e, KeyedStoredEvent):
            continue
        subject = UUID(str(e.originator_id))
        if e.erases:
            rows[subject] = (subject, None, now, now)
        elif e.new_key is not None and subject not in rows:
            rows[subject] = (subject, e.new_key[1], now, None)
    return list(rows.values())


def erased_subjects(stored: Sequence[StoredEvent]) -> list[UUID]:
    return [
        UUID(str(e.originator_id)) for e in stored if isinstance(e, KeyedStoredEvent) and e.erases
    ]


class DataKeys:
    """The subjects' keys: made, wrapped under the master key, cached, forgotten."""

    def __init__(self, master_key: str | None = None, cache_size: int = CACHE_SIZE) -> None:
        self.master = (
            AESGCM(hashlib.sha256(b"tenantry data keys v1\0" + master_key.encode()).digest())
            if master_key
            else None
        )
        self.table: KeyTable | None = None
        self.cache_size = cache_size
        self._cache: OrderedDict[UUID, bytes | Erased | Absent] = OrderedDict()
        self._lock = threading.Lock()
        # The subjects of the personal events selected lately (by any thread: a rebuild
        # selects in one thread and decodes in another), loaded with the next miss.
        self._hinted: deque[UUID] = deque(maxlen=HINTS)
        # The new keys of the save this thread is mapping: its later events of the same
        # subject are sealed with them before they are stored (and cached once stored).
        self._saving = threading.local()

    # -------------------------------------------------------------- the keys
    def new_key(self, subject: UUID) -> tuple[bytes, bytes]:
        """A new key for ``subject``: as it is, and as it is stored."""
        key = AESGCM.generate_key(bit_length=256)
        if self.master is None:
            return key, PLAIN + key
        nonce = os.urandom(NONCE)
        return key, WRAPPED + nonce + self.master.encrypt(nonce, key, subject.bytes)

    def unwrap(self, subject: UUID, stored: bytes) -> bytes:
        if stored[:1] == PLAIN:
            return stored[1:]
        if self.master is None:
            raise RuntimeError("a data key is encrypted: set TENANTRY_MASTER_KEY to read it")
        return self.master.decrypt(stored[1 : 1 + NONCE], stored[1 + NONCE :], subject.bytes)

    def begin(self) -> None:
        """A save starts mapping its events in this thread."""
        self._saving.keys = {}

    def bring(self, subject: UUID, key: bytes) -> None:
        """The save being mapped brings ``subject``'s new key."""
        saving: dict[UUID, bytes] | None = getattr(self._saving, "keys", None)
        if saving is None:
            saving = self._saving.keys = {}
        saving[subject] = key

    def key(self, subject: UUID) -> bytes | Erased | None:
        """The subject's key; ``ERASED`` once deleted; None when it never had one."""
        saving: dict[UUID, bytes] | None = getattr(self._saving, "keys", None)
        if saving and subject in saving:
            return saving[subject]
        with self._lock:
            found = self._cache.get(subject)
            if found is None:
                hinted = list(self._hinted)
                self._hinted.clear()
            else:
                self._cache.move_to_end(subject)
        if found is None:
            self.load([subject, *hinted])  # the batch being read too: one query
            with self._lock:
                found = self._cache.get(subject, ABSENT)
        return None if isinstance(found, Absent) else found

    def hint(self, subjects: list[UUID]) -> None:
        """The subjects of personal events just selected, likely read next: the first
        key missing loads theirs too (a follower's or a rebuild's batch, one query)."""
        if subjects:
            with self._lock:
                self._hinted.extend(subjects)

    def load(self, subjects: Iterable[UUID]) -> None:
        """Read the keys of the ``subjects`` not cached, in one query."""
        with self._lock:
            missing = list(dict.fromkeys(s for s in subjects if s not in self._cache))
        if not missing or self.table is None:
            return
        stored = self.table.select_data_keys(missing)
        for subject in missing:  # a subject without a row never gets one: kept too
            value = stored.get(subject, ABSENT)
            if value is None:
                self.remember(subject, ERASED)
            elif isinstance(value, bytes):
                self.remember(subject, self.unwrap(subject, value))
            else:
                self.remember(subject, ABSENT)

    def remember(self, subject: UUID, key: bytes | Erased | Absent) -> None:
        with self._lock:
            self._cache[subject] = key
            self._cache.move_to_end(subject)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)

    def forget(self, subject: UUID) -> None:
        """The subject's key was deleted: it is erased from now on."""
        self.remember(subject, ERASED)

    def failed(self) -> None:
        """The save's transaction did not commit: its new keys are not anyone's."""
        self._saving.keys = {}

    def saved(self, stored: Sequence[StoredEvent]) -> None:
        """After the transaction that stored ``stored`` committed."""
        self._saving.keys = {}
        for e in stored:
            if isinstance(e, KeyedStoredEvent):
                subject = UUID(str(e.originator_id))
                if e.erases:
                    self.forget(subject)
                elif e.new_key is not None:
                    self.remember(subject, e.new_key[0])

    # -------------------------------------------------------------- the values
    @staticmethod
    def seal(key: bytes, subject: UUID, field: str, value: Any) -> dict[str, str]:
        nonce = os.urandom(NONCE)
        plain = value.encode() if isinstance(value, str) else repr(value).encode()
        sealed = AESGCM(key).encrypt(nonce, plain, _bound(subject, field))
        return {SEALED: base64.b64encode(nonce + sealed).decode()}

    @staticmethod
    def open(key: bytes, subject: UUID, field: str, token: dict[str, str]) -> str:
        raw = base64.b64decode(token[SEALED])
        return AESGCM(key).decrypt(raw[:NONCE], raw[NONCE:], _bound(subject, field)).decode()


def is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and SEALED in value


def _bound(subject: UUID, field: str) -> bytes:
    return subject.bytes + field.encode()


@contextmanager
def settled(data_keys: DataKeys | None, stored: Sequence[StoredEvent]) -> Iterator[None]:
    """Around the insert of ``stored`` (with their new data keys): tell ``data_keys``
    whether it failed or saved."""
    try:
        yield
    except Exception:
        if data_keys is not None:
            data_keys.failed()
        raise
    if data_keys is not None:
        data_keys.saved(stored)
