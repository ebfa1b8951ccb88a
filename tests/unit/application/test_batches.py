"""Due deadlines in batches: never two of one customer in a batch, each customer's in
due order, at most a batch's size."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from application.process_manager import batches
from domain.customer import Deadline, DeadlineKind
from tests.support.clocks import START


def due(customer: int, kind: DeadlineKind, hours: int) -> Deadline:
    return Deadline(UUID(int=customer), kind, START + timedelta(hours=hours))


def test_a_customers_later_deadline_waits_for_the_next_batch() -> None:
    notice, other, trial_end = (
        due(1, DeadlineKind.UPGRADE_NOTICE, 0),
        due(2, DeadlineKind.TRIAL_END, 1),
        due(1, DeadlineKind.TRIAL_END, 2),
    )

    assert batches([notice, other, trial_end]) == [[notice, other], [trial_end]]


def test_batches_hold_at_most_their_size_oldest_first() -> None:
    deadlines = [due(n, DeadlineKind.TRIAL_END, n) for n in range(5)]

    assert batches(deadlines, size=2) == [deadlines[0:2], deadlines[2:4], deadlines[4:]]
    assert batches([]) == []
