from __future__ import annotations

from application.backoff import Backoff


def test_pauses_double_from_the_first_up_to_the_longest() -> None:
    backoff = Backoff(first=0.05, longest=0.5)
    assert [backoff.pause(n) for n in range(1, 7)] == [0.05, 0.1, 0.2, 0.4, 0.5, 0.5]


def test_linear_pauses_grow_by_the_first_each_attempt() -> None:
    assert [Backoff(first=2.0, linear=True).pause(n) for n in (1, 2, 3)] == [2.0, 4.0, 6.0]


def test_a_jittered_pause_is_a_random_part_of_the_pause() -> None:
    pauses = {Backoff(first=1.0, jitter=True).pause(3) for _ in range(50)}
    assert all(0 <= pause <= 4.0 for pause in pauses)
    assert len(pauses) > 1


def test_a_factor_of_one_is_a_constant_pause() -> None:
    assert Backoff(first=0.2, factor=1.0).pause(40) == 0.2


def test_thousands_of_failures_pause_the_longest() -> None:
    assert Backoff(first=1.0, longest=300.0).pause(5000) == 300.0
