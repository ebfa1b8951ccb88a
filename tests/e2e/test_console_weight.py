"""A console page with its CSS and scripts weighs at most 150 KB compressed."""

from __future__ import annotations

from benchmarks.console_bench import BUDGET_KB, weight_kb
from tests.e2e.conftest import World
from tests.e2e.console import PAGE, msp

__all__ = ["msp"]  # a fixture


def test_a_customers_page_of_fifty_rows_stays_within_the_budget(msp: World) -> None:
    # Given fifty onboarded customers
    for i in range(50):
        msp.onboard(msp.customer(organization_name=f"Customer {i:02d}")["id"])
    # When the Customers page shows them all
    page = msp.client.get(f"{PAGE}?limit=50").content
    # Then the page and what it loads weigh less than the budget, compressed
    assert page.count(b'name="customer"') == 50
    assert weight_kb(page) <= BUDGET_KB
