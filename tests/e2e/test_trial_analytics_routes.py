"""GET /v1/analytics/trials over HTTP: cohorts with their counts, rates named by their
parts, maturity, and what each principal sees."""

from __future__ import annotations

from datetime import timedelta

from tests.e2e.conftest import World

ANALYTICS = "/v1/analytics/trials"


def test_a_cohort_names_each_rate_by_its_numerator_and_denominator(world: World) -> None:
    # Given two customers of the MSP, one onboarded and converted
    first = world.customer()
    world.customer()
    world.onboard(first["id"])
    converted = world.call(
        "msp",
        "POST",
        f"/v1/customers/{first['id']}/convert-to-production",
        json={"expiration_date": "2030-01-01"},
    )
    assert converted.status_code == 200, converted.text
    # When the MSP asks for its analytics by week
    answer = world.call("msp", "GET", ANALYTICS, params={"group_by": "week"})
    # Then one cohort counts both, the conversion rate saying what it divides
    assert answer.status_code == 200, answer.text
    [cohort] = answer.json()["cohorts"]
    assert (cohort["created"], cohort["activated"], cohort["onboarded"]) == (2, 1, 1)
    assert (cohort["converted_manually"], cohort["still_in_trial"]) == (1, 1)
    assert cohort["conversion_rate"] == {
        "value": 1.0,
        "numerator": 1,
        "denominator": 1,
        "of": "(upgraded + converted) / ended",
    }
    assert cohort["extension_rate"]["denominator"] == 0
    assert cohort["extension_rate"]["value"] is None
    assert cohort["mature"] is False


def test_a_cohort_is_mature_once_its_trials_must_all_have_ended(world: World) -> None:
    world.customer()
    world.clock.advance(timedelta(days=7 + 14 + 7 + 3))
    [cohort] = world.call("admin", "GET", ANALYTICS).json()["cohorts"]
    assert cohort["mature"] is True


def test_each_partner_counts_only_the_trials_it_sees(world: World) -> None:
    # Given a customer of the MSP (under the distributor) and one of the other MSP
    world.customer()
    world.customer("other_msp")

    def created(who: str, **params: str) -> int:
        answer = world.call(who, "GET", ANALYTICS, params=params)
        assert answer.status_code == 200, answer.text
        return sum(c["created"] for c in answer.json()["cohorts"])

    # Then each sees its own, the distributor its MSP's, the auditor and admin all
    assert [created(p) for p in ("msp", "other_msp", "dist", "other_dist")] == [1, 1, 1, 0]
    assert created("auditor") == created("admin") == 2
    assert created("admin", partner_id=world.ids["msp"]) == 1
    assert created("other_msp", partner_id=world.ids["msp"]) == 0
    assert created("admin", sku="PROFESSIONAL_MSP_2025") == 0


def test_a_period_that_ends_before_it_starts_is_refused(world: World) -> None:
    backwards = {"from": "2026-02-01", "to": "2026-01-01"}
    answer = world.call("admin", "GET", ANALYTICS, params=backwards)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
