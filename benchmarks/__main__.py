"""Run every benchmark against a scratch PostgreSQL database."""

from __future__ import annotations

import sys

from benchmarks import audit, write
from benchmarks.harness import scratch_database

SUITES = {"write": write.run, "audit": audit.run}


def main(names: list[str]) -> int:
    for name, run in SUITES.items():
        if names and name not in names:
            continue
        with scratch_database() as url:
            run(url)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
