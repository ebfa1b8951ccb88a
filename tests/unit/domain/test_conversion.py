"""Convert to production: by the owning MSP in production, for MSP-sourced customers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from domain.customer import Customer
from domain.errors import Forbidden, InvalidState, NotEligible, PartnerInTrial, ValidationFailed
from domain.partner import Partner
from domain.values import Actor, PartnerStatus, Source, Status
from tests.support.events import (
    CATALOGUE,
    ESSENTIALS,
    ONBOARDED_AT,
    PROFESSIONAL,
    TRIAL_ENDS_AT,
    activated,
    created,
    distributor_partner,
    expired_customer,
    msp_partner,
    onboarded,
    onboarded_customer,
    production_customer,
)
from tests.support.principals import (
    ADMIN,
    DISTRIBUTOR,
    DISTRIBUTOR_ID,
    MSP,
    OTHER_MSP,
    OTHER_MSP_ID,
)
from tests.unit.domain.given_when_then import expect, given

AFTER_END = TRIAL_ENDS_AT + timedelta(days=2)  # 2026-01-22
NEXT_YEAR = date(2027, 1, 31)


def converting(
    at: datetime = AFTER_END,
    *,
    expiration_date: date = NEXT_YEAR,
    sku: str | None = None,
    addons: list[str] | None = None,
    owner: Partner | None = None,
    by: Actor = MSP,
) -> Callable[[Any], object]:
    partner = owner or msp_partner(PartnerStatus.PRODUCTION)
    return lambda c: c.convert_to_production(
        expiration_date=expiration_date,
        sku=sku,
        addons=addons,
        owner=partner,
        catalogue=CATALOGUE,
        at=at,
        by=by,
    )


def test_an_msp_in_production_converts_an_expired_customer() -> None:
    when = given(*expired_customer()).when(converting())
    when.then(
        expect(
            Customer.ConvertedToProduction,
            expiration_date=NEXT_YEAR,
            sku=ESSENTIALS,
            addons=(),
            timestamp=AFTER_END,
            actor=MSP,
        )
    )
    assert when.aggregate.state.status is Status.PRODUCTION
    assert when.aggregate.state.expiration_date == NEXT_YEAR


def test_an_msp_converts_an_onboarded_trial_before_its_end() -> None:
    given(*onboarded_customer()).when(converting(ONBOARDED_AT + timedelta(days=1))).then(
        Customer.ConvertedToProduction
    )


def test_conversion_may_change_the_sku_and_add_ons_in_the_same_step() -> None:
    given(*expired_customer()).when(
        converting(sku=PROFESSIONAL, addons=["AUDIT", "DELEGATION"])
    ).then(expect(Customer.ConvertedToProduction, sku=PROFESSIONAL, addons=("AUDIT", "DELEGATION")))


def test_conversion_refuses_an_unknown_sku() -> None:
    given(*expired_customer()).when(converting(sku="GOLD")).then_refused(ValidationFailed, "sku")


def test_conversion_refuses_duplicate_add_ons() -> None:
    given(*expired_customer()).when(converting(addons=["AUDIT", "AUDIT"])).then_refused(
        ValidationFailed
    )


def test_an_msp_in_trial_cannot_convert() -> None:
    given(*expired_customer()).when(
        converting(owner=msp_partner(PartnerStatus.TRIAL))
    ).then_refused(PartnerInTrial)


def test_a_customer_whose_source_is_direct_is_not_eligible() -> None:
    history = (created(source=Source.DIRECT, by=ADMIN), activated())
    given(*history, onboarded()).when(converting()).then_refused(NotEligible, match="DIRECT")


def test_a_distributors_own_customer_is_not_eligible() -> None:
    history = (
        created(source=Source.DISTRIBUTOR, partner_id=DISTRIBUTOR_ID, distributor_id=None),
        activated(),
        onboarded(),
    )
    given(*history).when(converting(owner=distributor_partner(), by=DISTRIBUTOR)).then_refused(
        NotEligible, match="DISTRIBUTOR"
    )


def test_a_pending_customer_cannot_be_converted() -> None:
    given(created(), activated()).when(converting(ONBOARDED_AT)).then_refused(
        InvalidState, match="pending"
    )


def test_a_production_customer_cannot_be_converted_again() -> None:
    given(*production_customer()).when(converting()).then_refused(InvalidState, "PRODUCTION")


def test_the_new_expiration_date_must_be_after_today() -> None:
    given(*expired_customer()).when(converting(expiration_date=AFTER_END.date())).then_refused(
        ValidationFailed, match="after today"
    )


def test_tomorrow_is_a_valid_expiration_date() -> None:
    tomorrow = AFTER_END.date() + timedelta(days=1)
    given(*expired_customer()).when(converting(expiration_date=tomorrow)).then(
        Customer.ConvertedToProduction
    )


def test_the_distributor_of_the_msp_cannot_convert() -> None:
    given(*expired_customer()).when(converting(by=DISTRIBUTOR)).then_refused(
        Forbidden, match="read-only"
    )


def test_another_msp_cannot_convert() -> None:
    other = msp_partner(partner_id=OTHER_MSP_ID)
    given(*expired_customer()).when(converting(owner=other, by=OTHER_MSP)).then_refused(Forbidden)
