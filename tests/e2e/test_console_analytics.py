"""The console's Analytics page: the funnel and conversion charts, the filters, the
table as CSV; partners' names escaped."""

from __future__ import annotations

import csv
import io

from tests.e2e.conftest import World
from tests.e2e.console import PAGE, link, sign_in

ANALYTICS = "/console/analytics"


def converted(world: World) -> None:
    """Two customers of the MSP, one onboarded and converted by hand."""
    first = world.customer()
    world.customer()
    world.onboard(first["id"])
    answer = world.call(
        "msp",
        "POST",
        f"/v1/customers/{first['id']}/convert-to-production",
        json={"expiration_date": "2030-01-01"},
    )
    assert answer.status_code == 200, answer.text


def test_an_msp_reads_its_funnel_and_cohorts(world: World) -> None:
    # Given two customers of the MSP, one converted
    converted(world)
    # When the MSP follows the Analytics link of the header
    sign_in(world.client, world.keys["msp"])
    href = link(world.client.get(PAGE).text, "Analytics")
    assert href == ANALYTICS
    page = world.client.get(href)
    # Then the funnel and the conversion chart are drawn, and the cohort tabulated
    assert page.status_code == 200
    assert '<svg class="chart funnel"' in page.text
    assert '<svg class="chart cohorts"' in page.text
    assert 'class="bar converted"' in page.text
    assert "<title>" in page.text
    assert ": 100%</title>" in page.text
    assert "<td>1 / 1</td>" in page.text  # converted / ended
    assert "Download CSV" in page.text
    assert "style=" not in page.text  # the charts are styled by the console's classes


def test_the_csv_holds_the_same_table(world: World) -> None:
    converted(world)
    sign_in(world.client, world.keys["msp"])
    page = world.client.get(ANALYTICS, params={"group_by": "month"}).text
    href = link(page, "Download CSV")
    assert href is not None
    assert "group_by=month" in href

    answer = world.client.get(href)

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    [row] = list(csv.DictReader(io.StringIO(answer.text)))
    assert (row["created"], row["onboarded"], row["converted_manually"]) == ("2", "1", "1")
    assert (row["conversion_numerator"], row["conversion_denominator"]) == ("1", "1")
    assert row["mature"] == "false"
    assert row["start"].endswith("-01")


def test_the_filters_narrow_the_table_and_escape_partner_names(world: World) -> None:
    # Given a customer of the MSP and one of a partner with markup in its name
    world.customer()
    odd = world.call(
        "admin",
        "POST",
        "/v1/partners",
        json={"name": "<b>Odd</b> & Co", "kind": "msp", "status": "production"},
    )
    assert odd.status_code == 201, odd.text
    headers = {"Authorization": f"Bearer {odd.json()['api_key']}"}
    body = {
        "organization_name": "X",
        "notification_email": "x@x.example",
        "sku": "PROFESSIONAL_MSP_2025",
    }
    assert world.client.post("/v1/customers", json=body, headers=headers).status_code == 201
    sign_in(world.client, world.keys["admin"])
    # When the admin filters by the odd partner, then by a SKU
    everyone = world.client.get(ANALYTICS).text
    theirs = world.client.get(ANALYTICS, params={"partner_id": odd.json()["id"]}).text
    essentials = world.client.get(ANALYTICS, params={"sku": "ESSENTIALS_MSP_2025"}).text
    # Then the name is shown as text, and each table counts what it was asked for
    assert "&lt;b&gt;Odd&lt;/b&gt; &amp; Co" in everyone
    assert "<b>Odd</b>" not in everyone
    assert created(everyone) == 2
    assert created(theirs) == 1
    assert created(essentials) == 1


def created(page: str) -> int:
    """The Created cell of the page's only cohort row."""
    row = page.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    cells = row.split("<td>")
    return int(cells[2].split("<", 1)[0])


def test_a_period_ending_before_it_starts_is_said_so(world: World) -> None:
    sign_in(world.client, world.keys["auditor"])
    page = world.client.get(ANALYTICS, params={"from": "2026-02-01", "to": "2026-01-01"})
    assert page.status_code == 200
    assert 'role="alert">from: must be before to' in page.text
    assert (
        world.client.get(
            "/console/analytics.csv", params={"from": "2026-02-01", "to": "2026-01-01"}
        ).status_code
        == 422
    )


def test_a_form_sent_with_empty_fields_filters_nothing(world: World) -> None:
    world.customer()
    sign_in(world.client, world.keys["admin"])
    empty = {"partner_id": "", "sku": "", "group_by": "week", "from": "", "to": ""}
    page = world.client.get(ANALYTICS, params=empty)
    assert page.status_code == 200
    assert created(page.text) == 1
    wrong = world.client.get(ANALYTICS, params={**empty, "from": "2026-13-45"})
    assert 'role="alert">from: is not valid' in wrong.text
