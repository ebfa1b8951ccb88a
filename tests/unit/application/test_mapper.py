"""The pydantic mapper: stable topics, upcasting on read, validation of stored state."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, ClassVar
from uuid import UUID

import pytest
from eventsourcing.persistence import MapperDeserialisationError, StoredEvent
from pydantic import ValidationError

import domain
from adapters.event_store import LibraryEventStore
from adapters.mapper import JSONBytes, PydanticMapper, topic_registry
from adapters.store_environment import persistence_env
from domain.aggregate import DomainEvent, Snapshot
from domain.customer import Customer
from domain.values import Actor, ActorKind
from tests.unit.domain.given_when_then import replay
from tests.unit.domain.test_event_records import lifecycle

ID = UUID("00000000-0000-4000-8000-0000000000f1")
ENVELOPE = {
    "timestamp": "2026-01-05T09:00:00Z",
    "recorded_at": "2026-01-05T09:00:00Z",
    "actor": {"kind": "msp", "id": "m1"},
}


class Labelled(DomainEvent):
    """A test event whose schema changed twice: v1 had ``text``; v2 renamed it
    ``label``; v3 added ``priority``."""

    TOPIC = "Test.Labelled"
    class_version = 3
    label: str
    priority: int

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["label"] = state.pop("text")

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        state["priority"] = 0


class Renamed(DomainEvent):
    """A class renamed in code; events stored under its old topic still resolve."""

    TOPIC = "Test.NewName"
    note: str


def mapper(aliases: dict[str, str] | None = None) -> PydanticMapper:
    return PydanticMapper(JSONBytes(), topic_registry(aliases))


def stored(topic: str, state: dict[str, Any], version: int = 1) -> StoredEvent:
    return StoredEvent(
        originator_id=ID,
        originator_version=version,
        topic=topic,
        state=json.dumps(state).encode(),
    )


def test_a_v1_event_is_upcast_and_validated_on_read() -> None:
    event = mapper().to_domain_event(stored("Test.Labelled", {**ENVELOPE, "text": "hi"}))
    assert isinstance(event, Labelled)
    assert (event.label, event.priority) == ("hi", 0)
    assert (event.originator_id, event.originator_version) == (ID, 1)
    assert event.actor == Actor(kind=ActorKind.MSP, id="m1")


def test_a_v2_event_runs_only_the_upcasters_after_its_version() -> None:
    state = {**ENVELOPE, "label": "hi", "class_version": 2}
    event = mapper().to_domain_event(stored("Test.Labelled", state))
    assert (event.label, event.priority) == ("hi", 0)


def test_the_current_version_is_stored_with_its_class_version_and_read_as_is() -> None:
    event = Labelled.model_validate(
        {**ENVELOPE, "originator_id": ID, "originator_version": 3, "label": "x", "priority": 7}
    )
    record = mapper().to_stored_event(event)
    assert record.topic == "Test.Labelled"
    assert json.loads(record.state)["class_version"] == 3
    assert mapper().to_domain_event(record) == event


def test_version_1_events_are_stored_without_a_class_version() -> None:
    event = Renamed.model_validate(
        {**ENVELOPE, "originator_id": ID, "originator_version": 1, "note": "n"}
    )
    assert "class_version" not in json.loads(mapper().to_stored_event(event).state)


def test_invalid_stored_state_raises_a_validation_error() -> None:
    state = {**ENVELOPE, "timestamp": "not an instant", "note": "n"}
    with pytest.raises(ValidationError, match="timestamp"):
        mapper().to_domain_event(stored("Test.NewName", state))


def test_a_stored_field_the_class_no_longer_knows_is_an_error_not_silently_dropped() -> None:
    with pytest.raises(ValidationError, match="surprise"):
        mapper().to_domain_event(stored("Test.NewName", {**ENVELOPE, "note": "n", "surprise": 1}))


def test_a_missing_field_is_an_error() -> None:
    with pytest.raises(ValidationError, match="note"):
        mapper().to_domain_event(stored("Test.NewName", ENVELOPE))


def test_a_stored_policy_number_of_the_wrong_type_is_an_error() -> None:
    event = lifecycle(domain.values.Policy())[0]
    record = mapper().to_stored_event(event)
    state = json.loads(record.state)
    state["policy"]["trial_days"] = "fourteen"
    with pytest.raises(ValidationError, match="trial_days"):
        mapper().to_domain_event(stored(record.topic, state))


def test_an_unknown_topic_is_refused() -> None:
    with pytest.raises(MapperDeserialisationError, match=r"Nobody\.Knows"):
        mapper().to_domain_event(stored("Nobody.Knows", {**ENVELOPE}))


def test_events_are_stored_under_their_explicit_topic_not_their_module_path() -> None:
    [extended] = [e for e in lifecycle(domain.values.Policy()) if type(e) is Customer.TrialExtended]
    record = mapper().to_stored_event(extended)
    assert record.topic == "Customer.TrialExtended"
    assert "domain" not in record.topic


def test_a_stored_topic_resolves_to_the_class_wherever_it_lives() -> None:
    state = {
        **ENVELOPE,
        "previous_trial_ends_at": "2026-01-20T09:00:00Z",
        "trial_ends_at": "2026-01-27T09:00:00Z",
        "policy": {},
    }
    event = mapper().to_domain_event(stored("Customer.TrialExtended", state, version=5))
    assert type(event) is Customer.TrialExtended
    assert event.trial_ends_at - event.previous_trial_ends_at == timedelta(days=7)


def test_an_alias_maps_an_old_topic_to_a_renamed_class() -> None:
    record = stored("Test.OldName", {**ENVELOPE, "note": "kept"})
    with pytest.raises(MapperDeserialisationError):
        mapper().to_domain_event(record)
    event = mapper({"Test.OldName": "Test.NewName"}).to_domain_event(record)
    assert isinstance(event, Renamed)
    assert event.note == "kept"


def test_the_event_store_reads_its_topic_aliases() -> None:
    class AliasedStore(LibraryEventStore):
        TOPIC_ALIASES: ClassVar[dict[str, str]] = {"Test.OldName": "Test.NewName"}

    store = AliasedStore(persistence_env("memory://"))
    event = store.mapper.to_domain_event(stored("Test.OldName", {**ENVELOPE, "note": "n"}))
    assert isinstance(event, Renamed)


def test_every_recorded_event_round_trips_through_the_mapper() -> None:
    events = lifecycle(domain.values.Policy())
    m = mapper()
    assert [m.to_domain_event(m.to_stored_event(e)) for e in events] == events


def test_a_snapshot_round_trips_and_restores_the_same_customer() -> None:
    customer = replay(lifecycle(domain.values.Policy()))
    m = mapper()
    snapshot = m.to_domain_event(m.to_stored_event(Snapshot.take(customer)))
    restored = snapshot.mutate(None)
    assert type(restored) is Customer
    assert (restored.state, restored.version) == (customer.state, customer.version)
    assert restored.created_on == customer.created_on
    assert restored.modified_on == customer.modified_on


def concrete_domain_events() -> list[type[DomainEvent]]:
    found: list[type[DomainEvent]] = []
    pending: list[type[DomainEvent]] = [DomainEvent]
    while pending:
        cls = pending.pop()
        subclasses = cls.__subclasses__()
        pending += subclasses
        if not subclasses and cls.__module__.startswith("domain."):
            found.append(cls)
    return found


def test_every_concrete_domain_event_has_its_own_explicit_topic() -> None:
    classes = concrete_domain_events()
    assert len(classes) >= 20
    topics = [cls.__dict__.get("TOPIC") for cls in classes]
    missing = [cls.__qualname__ for cls, t in zip(classes, topics, strict=True) if not t]
    assert missing == []
    assert len(set(topics)) == len(topics)


def test_the_registry_knows_every_concrete_domain_event() -> None:
    registry = topic_registry()
    for cls in concrete_domain_events():
        assert registry[cls.__dict__["TOPIC"]] is cls


def test_the_seven_design_card_events_keep_their_names() -> None:
    names = {cls.__name__ for cls in concrete_domain_events()}
    card = {
        "Created",
        "ActivationSent",
        "ImportFailed",
        "Onboarded",
        "TrialExtended",
        "UpgradeHeld",
        "ConvertedToProduction",
    }
    assert card <= names
