"""Stores pydantic events under their explicit topics, validating and upcasting on read.

The library's default mapper rebuilds events without validation; this one validates
every event the library's decoding (and its ``upcast_vN_vM`` chain for older
``class_version``s) rebuilds, and finds classes by their stable ``TOPIC`` (or an
alias from ``TOPIC_ALIASES``), so code can move freely. The library's
``COMPRESSOR_TOPIC`` and ``CIPHER_TOPIC`` work as they do for any application.
Given ``EventMacs``, it signs every event it stores and refuses to rebuild one whose
MAC does not verify (``adapters/event_macs.py``). Given ``DataKeys``, it seals each
event's ``PERSONAL_FIELDS`` under its subject's data key before the event is encoded,
and opens them when the event is read: a field whose key was erased reads as None, and
the event says ``erased`` (adapters/data_keys.py). Nothing else handles ciphertext.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol, cast
from uuid import UUID

from eventsourcing.persistence import (
    Cipher,
    Compressor,
    Mapper,
    MapperDeserialisationError,
    StoredEvent,
    Transcoder,
)
from eventsourcing.utils import register_topic
from pydantic import BaseModel
from pydantic_core import from_json

from adapters.data_keys import ERASED, ERASED_TOPICS, DataKeys, KeyedStoredEvent, is_sealed
from adapters.event_macs import EventMacs, split
from domain.aggregate import DomainEvent, Snapshot, erased_state


class Stored(Protocol):
    TOPIC: str
    class_version: int
    originator_id: UUID
    originator_version: int

    def model_dump(self, *, mode: str, exclude: set[str]) -> dict[str, Any]: ...


class JSONBytes(Transcoder):
    def encode(self, obj: Any) -> bytes:
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()

    def decode(self, data: bytes) -> Any:
        # pydantic-core's JSON parser: the same values as json.loads, twice as fast.
        return from_json(data)


def topic_registry(aliases: Mapping[str, str] | None = None) -> dict[str, type[Any]]:
    """Every event class by its TOPIC, plus aliases (old topic -> current topic)."""
    registry: dict[str, type[Any]] = {Snapshot.TOPIC: Snapshot}
    pending: list[type[DomainEvent]] = [DomainEvent]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        topic = cls.__dict__.get("TOPIC")
        if topic:
            if topic in registry and registry[topic] is not cls:
                raise TypeError(f"topic {topic!r} is used by two classes")
            registry[topic] = cls
    for old, new in (aliases or {}).items():
        registry[old] = registry[new]
    return registry


class PydanticMapper(Mapper[UUID]):
    """The library's mapper, storing pydantic events under their explicit topics.

    Writing: the event's state is dumped by pydantic (the library's own
    ``to_stored_event`` reads ``vars()``, which holds models, not JSON), transcoded,
    then compressed and encrypted by the library's ``compressor`` and ``cipher`` in
    the library's order, and then signed (the MAC covers the bytes as stored).
    Reading: the MAC is checked and taken off, and the library's ``to_domain_event``
    decrypts, decompresses, decodes and runs the upcasters; its event is then
    validated by pydantic into the class it names.
    """

    def __init__(  # noqa: PLR0913
        self,
        transcoder: Transcoder,
        registry: Mapping[str, type[Any]],
        macs: EventMacs | None = None,
        *,
        compressor: Compressor | None = None,
        cipher: Cipher | None = None,
        keys: DataKeys | None = None,
    ) -> None:
        super().__init__(transcoder, compressor=compressor, cipher=cipher)
        self.registry = registry
        self.macs = macs
        self.keys = keys
        self.personal_topics = frozenset(
            t for t, cls in registry.items() if getattr(cls, "PERSONAL_FIELDS", ())
        )
        for topic, cls in registry.items():  # the library resolves stored topics
            register_topic(topic, cls)

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        event = cast(Stored, domain_event)
        topic = type(event).__dict__.get("TOPIC")
        if not topic:
            raise TypeError(f"{type(event).__qualname__} has no explicit TOPIC")
        state = event.model_dump(mode="json", exclude={"originator_id", "originator_version"})
        if event.class_version > 1:
            state["class_version"] = event.class_version
        new_key, erases = None, topic in ERASED_TOPICS
        personal: frozenset[str] = getattr(type(event), "PERSONAL_FIELDS", frozenset())
        if personal and self.keys is not None:
            new_key = self._seal(event, personal, state)
        payload = self.transcoder.encode(state)
        if self.compressor:
            payload = self.compressor.compress(payload)
        if self.cipher:
            payload = self.cipher.encrypt(payload)
        if self.macs is not None:
            payload = self.macs.sign(event.originator_id, event.originator_version, topic, payload)
        if new_key is not None or erases:
            return KeyedStoredEvent(
                originator_id=event.originator_id,
                originator_version=event.originator_version,
                topic=topic,
                state=payload,
                new_key=new_key,
                erases=erases,
            )
        return StoredEvent(
            originator_id=event.originator_id,
            originator_version=event.originator_version,
            topic=topic,
            state=payload,
        )

    def _seal(
        self, event: Stored, personal: frozenset[str], state: dict[str, Any]
    ) -> tuple[bytes, bytes] | None:
        """Seal the personal fields of ``state`` (in place); the subject's new key, if
        this first event of its history brings one. A subject whose key was erased keeps
        no new personal data; a history from before data keys (no key) stays in clear."""
        assert self.keys is not None
        state.pop("erased", None)  # read-side only
        subject = event.originator_id
        new_key = None
        if event.originator_version == 1:
            new_key = self.keys.new_key(subject)
            self.keys.bring(subject, new_key[0])  # for its later events in this save
            key: Any = new_key[0]
        else:
            key = self.keys.key(subject)
        if key is None:
            return None  # a history from before data keys: kept as it was
        for field in personal:
            value = state.get(field)
            if value is not None:
                erased = not isinstance(key, bytes)
                state[field] = None if erased else self.keys.seal(key, subject, field, value)
        return new_key

    def _open(self, cls: type[Any], event_state: dict[str, Any]) -> None:
        """Open the sealed personal fields of ``event_state`` (in place). A field kept in
        clear (a history from before data keys) reads as None once the subject is
        erased too, though its stored bytes still hold it."""
        assert self.keys is not None
        subject = cast(UUID, event_state["originator_id"])
        key: Any = None
        for field in cls.PERSONAL_FIELDS:
            value = event_state.get(field)
            if value is None:
                continue
            key = self.keys.key(subject) if key is None else key
            if isinstance(key, bytes) and is_sealed(value):
                event_state[field] = self.keys.open(key, subject, field, value)
            elif key is ERASED or is_sealed(value):  # erased, or a key that is gone
                event_state[field] = None
                event_state["erased"] = True

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        if stored_event.topic not in self.registry:  # nor an alias of this store's
            raise MapperDeserialisationError(
                f"no event class for stored topic {stored_event.topic!r}"
            )
        if self.macs is None:
            payload = split(stored_event.state)[1]
        else:
            payload = self.macs.checked(
                stored_event.originator_id,
                stored_event.originator_version,
                stored_event.topic,
                stored_event.state,
            )
        unvalidated = super().to_domain_event(
            StoredEvent(
                originator_id=stored_event.originator_id,
                originator_version=stored_event.originator_version,
                topic=stored_event.topic,
                state=payload,
            )
        )
        cls = cast(type[BaseModel], type(unvalidated))
        event_state = vars(unvalidated)
        if self.keys is not None:
            if stored_event.topic in self.personal_topics:
                self._open(cls, event_state)
            elif stored_event.topic in ERASED_TOPICS:  # a follower reads it: forget the key
                self.keys.forget(cast(UUID, event_state["originator_id"]))
            elif cls is Snapshot and self._erased(event_state):
                event_state["state"] = erased_state(event_state["aggregate"], event_state["state"])
        return cls.model_validate(event_state)

    def _erased(self, snapshot: dict[str, Any]) -> bool:
        """Whether a snapshot is of a subject whose key was erased (one taken before
        the erasure, or not yet deleted, still holds its personal data)."""
        assert self.keys is not None
        if snapshot["aggregate"] not in ("Customer", "User"):
            return False
        return self.keys.key(cast(UUID, snapshot["originator_id"])) is ERASED
