"""A reading that fails is left out of one scrape; /metrics still answers."""

from __future__ import annotations

import logging

import pytest
from prometheus_client import generate_latest

from api.metrics import new_registry


def test_given_a_reading_that_fails_then_the_others_are_still_scraped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Given a gauge whose database does not answer, beside one that does
    def broken() -> float:
        raise RuntimeError("relation view_positions does not exist")

    registry, _ = new_registry(
        {"tenantry_broken": ("breaks", broken), "tenantry_fine": ("fine", lambda: 2.0)},
        {"tenantry_counted": ("counted", lambda: 3.0)},
        {"tenantry_labelled": ("labelled", "table", broken)},
    )
    # When the metrics are scraped
    with caplog.at_level(logging.WARNING):
        text = generate_latest(registry).decode()
    # Then the failing ones are left out and named in the log, the others are there
    assert "tenantry_fine 2.0" in text
    assert "tenantry_counted_total 3.0" in text
    assert "tenantry_broken" not in text
    assert "tenantry_labelled" not in text
    assert "metric tenantry_broken left out of this scrape" in caplog.text
