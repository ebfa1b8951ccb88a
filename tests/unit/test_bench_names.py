"""The bench data's organization names: realistic, Faker's company formats, the same
for a seed, and the bench's search term among them as a common surname is."""

from __future__ import annotations

import itertools
import re

from benchmarks.names import organization_names
from benchmarks.projection_bench import SEARCH

COMPANY = re.compile(
    r"^(?P<one>[A-Z][\w' ]+) (Inc|and Sons|LLC|Group|PLC|Ltd)$"
    r"|^[A-Z][\w']+-[A-Z][\w']+$"
    r"|^[A-Z][\w']+, [A-Z][\w']+ and [A-Z][\w']+$"
)


def first(count: int, seed: int = 7) -> list[str]:
    return list(itertools.islice(organization_names(seed), count))


def test_given_a_seed_when_names_are_drawn_twice_then_they_are_the_same() -> None:
    assert first(1000) == first(1000)
    assert first(1000) != first(1000, seed=8)


def test_given_the_names_then_each_has_one_of_the_company_provider_formats() -> None:
    names = first(5000)
    assert all(COMPANY.match(n) for n in names), [n for n in names if not COMPANY.match(n)]
    assert len(set(names)) > 3000  # realistic: repeats happen, but rarely


def test_given_the_names_then_the_bench_search_finds_a_few_percent_of_them() -> None:
    names = first(20_000)
    share = sum(SEARCH in n.lower() for n in names) / len(names)
    assert 0.005 < share < 0.1
