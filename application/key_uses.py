"""When each API key was last used, to the minute: the port (adapters/key_use_store.py
implements it) and the notes the authenticator takes of each use, written in the
background."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from uuid import UUID

from application.clock import Clock

log = logging.getLogger(__name__)
MAX_NOTED = 100_000  # keys noted between two flushes; more are dropped until then


class KeyUses(Protocol):
    def record(self, holder_id: UUID, key_id: str, at: datetime) -> None:
        """Remember that the key was used at ``at`` (never moves a later use back)."""
        ...

    def last_used(self, holder_ids: Sequence[UUID]) -> dict[tuple[UUID, str], datetime]:
        """The last use of each key of these holders that was ever used."""
        ...


def to_the_minute(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


@dataclass(eq=False)
class UseRecorder:
    """Notes a key's use in memory (requests never write for it, and ``used`` may run
    on the event loop); ``flush``, one of the background chores, writes the notes. A
    failed write is logged and kept for the next flush."""

    uses: KeyUses
    clock: Clock
    _noted: dict[tuple[UUID, str], datetime] = field(default_factory=dict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def used(self, holder_id: UUID, key_id: str) -> None:
        minute = to_the_minute(self.clock.now())
        with self._lock:
            if len(self._noted) < MAX_NOTED or (holder_id, key_id) in self._noted:
                self._noted[(holder_id, key_id)] = minute

    def flush(self) -> int:
        with self._lock:
            noted, self._noted = self._noted, {}
        for (holder_id, key_id), at in noted.items():
            try:
                self.uses.record(holder_id, key_id, at)
            except Exception:
                log.warning("could not record the use of key %s", key_id, exc_info=True)
                with self._lock:
                    self._noted.setdefault((holder_id, key_id), at)
        return len(noted)
