"""The positions a process's writes reached, per party, in bounded memory."""

from __future__ import annotations

from uuid import uuid4

from application.authorization import Visibility
from application.own_writes import EVERYONE, OwnWrites, parties_seeing, party, writing


def test_a_party_waits_for_its_own_writes_only() -> None:
    mine, theirs = party(uuid4()), party(uuid4())
    writes = OwnWrites()
    writes.note({mine, EVERYONE}, 7)
    writes.note({theirs, EVERYONE}, 9)
    assert writes.of({mine}) == 7
    assert writes.of({theirs}) == 9
    assert writes.of({EVERYONE}) == 9
    assert writes.of({party(uuid4())}) == 0


def test_a_position_never_moves_back() -> None:
    mine = party(uuid4())
    writes = OwnWrites()
    writes.note({mine}, 9)
    writes.note({mine}, 4)  # a save that finished after a later one
    assert writes.of({mine}) == 9


def test_parties_the_views_have_reached_are_forgotten_first() -> None:
    # Given room for two parties, and views that reached position 5
    first, second, third = (party(uuid4()) for _ in range(3))
    writes = OwnWrites(capacity=2, reached=lambda: 5)
    writes.note({first}, 3)
    writes.note({second}, 8)
    # When a third party writes
    writes.note({third}, 9)
    # Then the party the views have reached goes, and nobody waits for more than before
    assert len(writes) == 2
    assert (writes.of({first}), writes.of({second}), writes.of({third})) == (0, 8, 9)


def test_past_its_capacity_it_forgets_the_oldest_and_every_party_waits_for_them() -> None:
    # Given room for one party, and views that reached nothing
    first, second, newcomer = (party(uuid4()) for _ in range(3))
    writes = OwnWrites(capacity=1)
    writes.note({first}, 3)
    # When a second party writes
    writes.note({second}, 8)
    # Then the first is forgotten, and its position is waited for by every party (safe)
    assert len(writes) == 1
    assert writes.of({first}) == 3
    assert writes.of({newcomer}) == 3
    assert writes.of({second}) == 8


def test_a_request_hears_of_the_position_its_saves_reached() -> None:
    writes = OwnWrites()
    with writing() as written:
        writes.note({EVERYONE}, 4)
        writes.note({EVERYONE}, 6)
    writes.note({EVERYONE}, 11)  # after the request
    assert written.position == 6


def test_a_viewer_s_parties_follow_what_it_sees() -> None:
    owner, distributor = uuid4(), uuid4()
    assert parties_seeing(Visibility(everything=True)) == {EVERYONE}
    assert parties_seeing(Visibility(owner=owner)) == {party(owner)}
    both = Visibility(owner=distributor, distributor=distributor)
    assert parties_seeing(both) == {party(distributor)}
    assert parties_seeing(Visibility()) == set()
