"""How long to wait before trying again: the one back-off rule of every retry loop.

The pause after the ``n``-th failed attempt is ``first * factor ** (n - 1)`` (or
``first * n`` with ``linear``), at most ``longest``; with ``jitter`` it is a random
part of that (full jitter), so writers that collided do not collide again in step.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    first: float
    longest: float = math.inf
    factor: float = 2.0
    linear: bool = False
    jitter: bool = False

    def pause(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1 for the first)."""
        try:
            grown = self.first * (attempt if self.linear else self.factor ** (attempt - 1))
        except OverflowError:  # thousands of failures in a row: long since at the longest
            grown = math.inf
        pause = min(self.longest, grown)
        return random.uniform(0, pause) if self.jitter else pause  # noqa: S311
