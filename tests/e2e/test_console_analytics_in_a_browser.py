"""The Analytics page in headless Chromium against ``tenantry serve``: its charts drawn
under the strict CSP, the filters, Download CSV, no serious accessibility violation, and
screenshots at 1280 px and 390 px (``var/screenshots/``)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.support.browser import (
    SKU,
    Api,
    accessible,
    browser,
    context,
    server_on_sqlite,
    shoot,
    sign_in,
    watched,
)
from tests.support.live import ADMIN_TOKEN
from tests.support.server import Server

__all__ = ["browser", "context", "server_on_sqlite"]  # fixtures
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("servers")]


def test_an_msp_reads_its_trials_filters_them_and_downloads_the_table(
    server: Server, context: BrowserContext
) -> None:
    # Given an MSP with two customers, one onboarded
    api = Api(server)
    msp = api.call(
        ADMIN_TOKEN,
        "POST",
        "/v1/partners",
        json={"name": "Northwind", "kind": "msp", "status": "production"},
    )["api_key"]
    importer = api.call(
        ADMIN_TOKEN, "POST", "/v1/service-keys", json={"role": "importer", "name": "importer"}
    )["api_key"]
    onboarded = api.customer(msp, "Fabrikam")
    api.customer(msp, "Contoso")
    link = api.call(msp, "GET", f"/v1/customers/{onboarded}/activation-link")["url"]
    assert api.client.post(urlsplit(link).path).status_code == 200
    api.call(importer, "POST", f"/v1/customers/{onboarded}/import/completion")
    page = context.new_page()
    problems = watched(page, [])
    sign_in(page, server, msp)

    # When the MSP opens Analytics
    page.get_by_role("link", name="Analytics").click()

    # Then the funnel is drawn, and the cohorts' conversion waits for a trial to end
    expect(page.get_by_role("heading", name="Trial analytics")).to_be_visible()
    expect(page.get_by_role("img", name="Trials at each step of the funnel")).to_be_visible()
    expect(page.locator("svg.funnel rect.bar")).to_have_count(5)
    expect(page.get_by_text("No trial of these cohorts has ended yet")).to_be_visible()
    expect(page.get_by_role("img", name="Conversion rate of each cohort")).to_have_count(0)

    # And once one trial is converted, the cohorts' conversion is drawn and tabulated
    api.call(
        msp,
        "POST",
        f"/v1/customers/{onboarded}/convert-to-production",
        json={"expiration_date": "2099-12-31"},
    )
    page.reload()
    expect(page.get_by_role("img", name="Conversion rate of each cohort")).to_be_visible()
    expect(page.locator("svg.cohorts text.value")).to_have_text(["100%"])
    expect(page.locator("#cohorts tbody tr")).to_have_count(1)
    shoot(page, "analytics")
    accessible(page, "analytics")

    # And a SKU no trial has leaves no cohort
    page.get_by_label("SKU").select_option(label="Professional MSP 2025")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("No trials in this period.").first).to_be_visible()
    page.get_by_label("SKU").select_option(value=SKU)
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#cohorts tbody tr th")).to_have_count(1)

    # And Download CSV gives the same table
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    lines = open(download.value.path(), encoding="utf-8").read().splitlines()  # noqa: SIM115
    assert lines[0].startswith("start,end,mature,created,activated,onboarded")
    assert lines[1].split(",")[3:6] == ["2", "1", "1"]
    assert problems == []
