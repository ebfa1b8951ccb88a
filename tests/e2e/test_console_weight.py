"""A console page with its CSS and scripts weighs at most 150 KB compressed."""

from __future__ import annotations

from datetime import timedelta

from benchmarks.console_bench import BUDGET_KB, weight_kb
from tests.e2e.conftest import World
from tests.e2e.console import PAGE, msp, sign_in

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


def test_the_analytics_page_of_a_year_by_week_stays_within_the_budget(msp: World) -> None:
    # Given a customer created in each of 52 weeks
    for _ in range(52):
        msp.customer()
        msp.clock.advance(timedelta(weeks=1))
    sign_in(msp.client, msp.keys["msp"])  # the session of a year ago has ended
    # When the Analytics page shows that year by week
    page = msp.client.get("/console/analytics", params={"from": "2026-01-01"}).content
    # Then its charts and table, with what it loads, weigh less than the budget
    assert page.count(b'<th scope="row">') == 52
    assert weight_kb(page) <= BUDGET_KB
