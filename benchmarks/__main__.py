"""Run every benchmark against a scratch PostgreSQL database."""

from __future__ import annotations

import sys
import time

from benchmarks import audit, clock, copy_bench, http_bench, lag, scale, webhooks_bench, write
from benchmarks.harness import scratch_database

SUITES = {
    "write": write.run,
    "http": http_bench.run,
    "lag": lag.run,
    "scale": scale.run,
    "clock": clock.run,
    "clock_100k": clock.run_100k,
    "audit": audit.run,
    "copy": copy_bench.run,
    "webhooks": webhooks_bench.run,
}


def main(names: list[str]) -> int:
    unknown = set(names) - set(SUITES)
    if unknown:
        print(f"unknown suites {sorted(unknown)}; known: {list(SUITES)}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    for name, run in SUITES.items():
        if names and name not in names:
            continue
        suite_started = time.perf_counter()
        with scratch_database() as url:
            run(url)
        print(f"# {name}: {time.perf_counter() - suite_started:.0f} s", file=sys.stderr)
    print(f"# total: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
