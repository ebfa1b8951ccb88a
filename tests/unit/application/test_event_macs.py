"""Event MACs: what is signed reads back exactly; any change to the stored bytes is caught."""

from __future__ import annotations

import json
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from adapters.event_macs import MISSING, WRONG, EventMacs, split

ID = UUID("00000000-0000-4000-8000-0000000000f1")
MACS = EventMacs(b"k" * 32)
objects = st.dictionaries(
    st.text(max_size=8), st.one_of(st.integers(), st.text(max_size=8), st.none()), max_size=5
)


@given(objects)
def test_a_signed_state_splits_back_into_its_mac_and_exact_bytes(state: dict[str, object]) -> None:
    payload = json.dumps(state, separators=(",", ":")).encode()
    stored = MACS.sign(ID, 3, "Customer.Created", payload)
    json.loads(stored)  # still JSON
    mac, covered = split(stored)
    assert covered == payload
    assert mac == MACS.mac(ID, 3, "Customer.Created", payload)
    assert MACS.problem(ID, 3, "Customer.Created", stored) is None


@given(objects, st.data())
def test_any_changed_byte_or_field_is_caught(state: dict[str, object], data: st.DataObject) -> None:
    payload = json.dumps(state, separators=(",", ":")).encode()
    stored = MACS.sign(ID, 3, "Customer.Created", payload)
    at = data.draw(st.integers(0, len(stored) - 1))
    flipped = stored[:at] + bytes([stored[at] ^ 1]) + stored[at + 1 :]
    assert MACS.problem(ID, 3, "Customer.Created", flipped) in (MISSING, WRONG)
    assert MACS.problem(ID, 4, "Customer.Created", stored) == WRONG
    assert MACS.problem(ID, 3, "Customer.TrialExtended", stored) == WRONG
    assert EventMacs(b"x" * 32).problem(ID, 3, "Customer.Created", stored) == WRONG
    assert MACS.problem(ID, 3, "Customer.Created", payload) == MISSING


def test_every_changed_byte_of_an_empty_state_is_caught() -> None:
    stored = MACS.sign(ID, 1, "Customer.Created", b"{}")
    for at in range(len(stored)):
        flipped = stored[:at] + bytes([stored[at] ^ 1]) + stored[at + 1 :]
        assert MACS.problem(ID, 1, "Customer.Created", flipped) is not None, at


@given(st.binary(min_size=1, max_size=64).filter(lambda b: not b.startswith(b"{")), st.data())
def test_compressed_or_encrypted_bytes_are_signed_as_stored_and_any_change_is_caught(
    payload: bytes, data: st.DataObject
) -> None:
    stored = MACS.sign(ID, 3, "Customer.Created", payload)
    assert split(stored) == (MACS.mac(ID, 3, "Customer.Created", payload), payload)
    assert MACS.checked(ID, 3, "Customer.Created", stored) == payload
    at = data.draw(st.integers(0, len(stored) - 1))
    flipped = stored[:at] + bytes([stored[at] ^ 1]) + stored[at + 1 :]
    assert MACS.problem(ID, 3, "Customer.Created", flipped) in (MISSING, WRONG)


def test_json_signed_as_json_does_not_also_verify_framed_as_other_bytes() -> None:
    payload = b'{"a":1}'
    stored = MACS.sign(ID, 1, "Customer.Created", payload)
    mac = split(stored)[0]
    assert mac is not None
    reframed = b'{"_mac":"' + mac.encode() + b'"}' + payload
    assert MACS.problem(ID, 1, "Customer.Created", reframed) == WRONG
