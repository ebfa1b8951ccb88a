from __future__ import annotations

import time
from typing import cast

from application.background import Sweeper
from application.process_manager import ProcessManager, SweepReport


class Failing:
    def __init__(self) -> None:
        self.sweeps = 0

    def sweep(self) -> SweepReport:
        self.sweeps += 1
        raise RuntimeError("database unavailable")


def test_sweeps_that_fail_in_a_row_are_retried_ever_further_apart() -> None:
    manager = Failing()
    sweeper = Sweeper(cast(ProcessManager, manager), interval=0.01)
    sweeper.start()
    time.sleep(0.3)  # pauses of 0.01, 0.02, 0.04, 0.08, 0.16 s: six sweeps at most
    sweeper.stop()
    assert 2 <= manager.sweeps <= 6
    assert sweeper.last_error == "database unavailable"
