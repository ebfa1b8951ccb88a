"""Realistic organization names for the bench data, the same for a seed.

The names are those of Faker's company provider (``en_US``): its formats (``Diaz Inc``,
``Gould-Foster``, ``Lewis, Miller and Barnes``), its suffixes and its last names with
their weights. They are composed here with one seeded ``random.Random`` and the weights
summed once: ``Faker.company()`` sums the 1,000 weights again for each last name it
picks, about a millisecond a name on this machine, a quarter of an hour at 1M customers.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator

from faker.providers.company.en_US import Provider as Companies
from faker.providers.person.en_US import Provider as People

SEED = 20260105
LAST_NAMES = list(People.last_names)
CUMULATIVE = list(itertools.accumulate(People.last_names.values()))
FORMATS = Companies.formats
SUFFIXES = Companies.company_suffixes


def organization_names(seed: int = SEED) -> Iterator[str]:
    """An endless run of company names; the same run for the same seed."""
    rng = random.Random(seed)  # noqa: S311 (bench data, not secrets)
    while True:
        template = rng.choice(FORMATS)
        count = template.count("{{last_name}}")
        last = rng.choices(LAST_NAMES, cum_weights=CUMULATIVE, k=count)
        name = template
        for part in last:
            name = name.replace("{{last_name}}", part, 1)
        yield name.replace("{{company_suffix}}", rng.choice(SUFFIXES))
