"""The mapper's crypto-shredding: personal fields sealed under their subject's data key,
opened when read, None (``erased``) once the key is deleted; the MACs cover what is
stored, so they verify before and after."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from uuid import UUID

from adapters.data_keys import ERASED, DataKeys
from adapters.event_macs import EventMacs
from adapters.event_store import open_event_store
from domain.aggregate import Snapshot
from domain.customer import Customer
from domain.values import LogLevel
from tests.support.events import T0, created
from tests.support.principals import ADMIN, IMPORTER, MSP

ADDRESS = "jane.doe@sealed.example"
ID = UUID("00000000-0000-4000-8000-0000000000e1")


def a_store(master_key: str | None = "master") -> object:
    return open_event_store("memory://", 3, EventMacs(b"k" * 32), master_key=master_key)


def a_customer() -> Customer:
    event = created().model_copy(
        update={"originator_id": ID, "originator_version": 1, "notification_email": ADDRESS}
    )
    customer: Customer = event.mutate(None)
    customer._pending.append(event)
    return customer


def test_the_address_is_stored_sealed_and_read_back_in_clear() -> None:
    store = a_store()
    store.save(a_customer())  # type: ignore[attr-defined]

    [stored] = store.recorder.select_events(ID)  # type: ignore[attr-defined]
    assert ADDRESS.encode() not in stored.state
    assert b'"notification_email":{"$sealed":' in stored.state
    [event] = store.events.get(ID)  # type: ignore[attr-defined]
    assert (event.notification_email, event.erased) == (ADDRESS, False)


def test_the_stored_key_is_encrypted_under_the_master_key() -> None:
    store = a_store()
    store.save(a_customer())  # type: ignore[attr-defined]
    plain = store.data_keys.key(ID)  # type: ignore[attr-defined]

    stored = store.recorder.select_data_keys([ID])[ID]  # type: ignore[attr-defined]
    assert isinstance(plain, bytes)
    assert len(plain) == 32
    assert plain not in stored


def test_once_the_key_is_erased_the_fields_read_none_and_the_macs_still_verify() -> None:
    store = a_store()
    customer = a_customer()
    at = T0 + timedelta(hours=1)
    customer.activate(link_version=1, at=at, by=MSP)
    customer.log_import_message(level=LogLevel.INFO, message=f"of {ADDRESS}", at=at, by=IMPORTER)
    store.save(customer)  # type: ignore[attr-defined]  # a snapshot at version 3
    before = [bytes(e.state) for e in store.recorder.select_events(ID)]  # type: ignore[attr-defined]

    customer.erase_personal_data(reason="asked", at=at, by=ADMIN)
    store.save(customer)  # type: ignore[attr-defined]

    assert store.data_keys.key(ID) is ERASED  # type: ignore[attr-defined]
    assert store.recorder.select_data_keys([ID]) == {ID: None}  # type: ignore[attr-defined]
    stored = store.recorder.select_events(ID)  # type: ignore[attr-defined]
    assert [bytes(e.state) for e in stored[:3]] == before  # nothing stored changed
    for e in stored:
        assert store.macs.problem(e.originator_id, e.originator_version, e.topic, e.state) is None  # type: ignore[attr-defined]
    events = list(store.events.get(ID))  # type: ignore[attr-defined]
    assert (events[0].notification_email, events[0].erased) == (None, True)
    assert (events[2].message, events[2].erased) == (None, True)
    [snapshot] = store.snapshots.get(ID)  # type: ignore[attr-defined]
    assert isinstance(snapshot, Snapshot)
    assert ADDRESS not in json.dumps(snapshot.state)
    assert snapshot.state["erased"] is True


def test_another_process_forgets_the_key_when_it_reads_the_erasure() -> None:
    keys = DataKeys("master")
    keys.remember(ID, b"k" * 32)
    store = a_store()
    store.data_keys = keys  # type: ignore[attr-defined]
    store.mapper.keys = keys  # type: ignore[attr-defined]
    erasure = Customer.PersonalDataErased(
        originator_id=ID,
        originator_version=2,
        timestamp=T0,
        recorded_at=T0,
        actor=ADMIN,
        reason="asked",
    )
    stored = store.mapper.to_stored_event(erasure)  # type: ignore[attr-defined]

    store.mapper.to_domain_event(stored)  # type: ignore[attr-defined]
    assert keys.key(ID) is ERASED


def test_without_a_master_key_the_key_is_stored_as_it_is() -> None:
    store = a_store(master_key=None)
    store.save(a_customer())  # type: ignore[attr-defined]

    stored = store.recorder.select_data_keys([ID])[ID]  # type: ignore[attr-defined]
    assert stored[1:] == store.data_keys.key(ID)  # type: ignore[attr-defined]


def test_the_library_cipher_composes_with_the_data_keys() -> None:
    """CIPHER_TOPIC encrypts the whole payload (sealed fields included) with one key;
    erasing one customer still works underneath it."""
    store = open_event_store(
        "memory://",
        3,
        EventMacs(b"k" * 32),
        master_key="master",
        CIPHER_TOPIC="eventsourcing.cipher:AESCipher",
        CIPHER_KEY=base64.b64encode(b"c" * 32).decode(),
    )
    customer = a_customer()
    store.save(customer)
    [stored] = store.recorder.select_events(ID)
    assert b"$sealed" not in stored.state  # the library's cipher hides the whole payload
    [event] = store.events.get(ID)
    assert event.notification_email == ADDRESS  # type: ignore[attr-defined]

    customer.erase_personal_data(reason="asked", at=T0 + timedelta(hours=1), by=ADMIN)
    store.save(customer)
    first = next(iter(store.events.get(ID)))
    assert (first.notification_email, first.erased) == (None, True)  # type: ignore[attr-defined]


def test_a_customer_stored_before_data_keys_reads_erased_once_erased() -> None:
    store = open_event_store("memory://", 50, EventMacs(b"k" * 32))
    keys, store.mapper.keys = store.mapper.keys, None  # type: ignore[attr-defined]
    customer = a_customer()
    store.save(customer)  # as before data keys: in clear, and no key
    store.mapper.keys = keys  # type: ignore[attr-defined]
    [stored] = store.recorder.select_events(ID)
    assert ADDRESS.encode() in stored.state
    assert next(iter(store.events.get(ID))).notification_email == ADDRESS  # type: ignore[attr-defined]

    customer.erase_personal_data(reason="asked", at=T0 + timedelta(hours=1), by=ADMIN)
    store.save(customer)

    first = next(iter(store.events.get(ID)))
    assert (first.notification_email, first.erased) == (None, True)  # type: ignore[attr-defined]
