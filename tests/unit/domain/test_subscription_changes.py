"""Edit SKUs and expiration: SKU and add-ons any time; expiration only in production."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from domain.customer import Customer
from domain.errors import Forbidden, InvalidState, ValidationFailed
from domain.values import Actor
from tests.support.events import (
    CATALOGUE,
    ESSENTIALS,
    PROFESSIONAL,
    T0,
    TRIAL_ENDS_AT,
    created,
    expired_customer,
    onboarded_customer,
    production_customer,
)
from tests.support.principals import DISTRIBUTOR, MSP, OTHER_MSP
from tests.unit.domain.given_when_then import expect, given

AT = TRIAL_ENDS_AT + timedelta(days=3)
UPGRADE_EXPIRATION = date(2027, 1, 20)


def changing(
    at: datetime = AT,
    *,
    sku: str | None = None,
    addons: list[str] | None = None,
    expiration_date: date | None = None,
    by: Actor = MSP,
) -> Callable[[Any], object]:
    return lambda c: c.change_subscription(
        sku=sku,
        addons=addons,
        expiration_date=expiration_date,
        catalogue=CATALOGUE,
        at=at,
        by=by,
    )


def test_the_owner_changes_the_sku_of_a_pending_customer() -> None:
    given(created()).when(changing(T0, sku=PROFESSIONAL)).then(
        expect(Customer.SubscriptionChanged, sku=PROFESSIONAL, addons=(), expiration_date=None)
    )


def test_the_owner_changes_the_add_ons_during_the_trial() -> None:
    given(*onboarded_customer()).when(changing(T0 + timedelta(days=2), addons=["AUDIT"])).then(
        expect(Customer.SubscriptionChanged, sku=ESSENTIALS, addons=("AUDIT",))
    )


def test_the_owner_removes_every_add_on() -> None:
    given(created(addons=("AUDIT",))).when(changing(T0, addons=[])).then(
        expect(Customer.SubscriptionChanged, addons=())
    )


def test_the_sku_of_an_expired_customer_can_change() -> None:
    given(*expired_customer()).when(changing(sku=PROFESSIONAL)).then(Customer.SubscriptionChanged)


def test_the_owner_moves_the_expiration_date_of_a_production_customer() -> None:
    given(*production_customer()).when(changing(expiration_date=date(2027, 6, 30))).then(
        expect(Customer.SubscriptionChanged, expiration_date=date(2027, 6, 30), sku=ESSENTIALS)
    )


def test_changing_the_sku_keeps_the_production_expiration_date() -> None:
    given(*production_customer()).when(changing(sku=PROFESSIONAL)).then(
        expect(Customer.SubscriptionChanged, expiration_date=UPGRADE_EXPIRATION)
    )


def test_a_trials_expiration_date_cannot_be_set() -> None:
    given(*onboarded_customer()).when(
        changing(T0 + timedelta(days=2), expiration_date=date(2026, 12, 1))
    ).then_refused(InvalidState, match="extending")


def test_an_expired_customers_expiration_date_cannot_be_set() -> None:
    given(*expired_customer()).when(changing(expiration_date=date(2026, 12, 1))).then_refused(
        InvalidState, match="EXPIRED"
    )


def test_the_expiration_date_must_be_after_today() -> None:
    given(*production_customer()).when(changing(expiration_date=AT.date())).then_refused(
        ValidationFailed, match="after today"
    )


def test_a_change_with_nothing_to_change_is_refused() -> None:
    given(*production_customer()).when(changing()).then_refused(ValidationFailed, "at least one")


def test_the_same_values_record_nothing() -> None:
    when = given(*production_customer()).when(
        changing(sku=ESSENTIALS, addons=[], expiration_date=UPGRADE_EXPIRATION)
    )
    when.then_nothing()
    assert when.result is False


def test_an_unknown_sku_is_refused() -> None:
    given(created()).when(changing(T0, sku="PLATINUM")).then_refused(ValidationFailed, "sku")


def test_an_unknown_add_on_is_refused() -> None:
    given(created()).when(changing(T0, addons=["NOPE"])).then_refused(ValidationFailed, "NOPE")


def test_a_duplicate_add_on_is_refused() -> None:
    given(created()).when(changing(T0, addons=["AUDIT", "AUDIT"])).then_refused(ValidationFailed)


def test_a_distributor_cannot_change_its_msps_customer() -> None:
    given(created()).when(changing(T0, sku=PROFESSIONAL, by=DISTRIBUTOR)).then_refused(
        Forbidden, match="read-only"
    )


def test_another_partner_cannot_change_the_subscription() -> None:
    given(created()).when(changing(T0, sku=PROFESSIONAL, by=OTHER_MSP)).then_refused(Forbidden)


def test_the_same_add_ons_in_another_order_record_nothing() -> None:
    given(created(addons=("AUDIT", "DELEGATION"))).when(
        changing(T0, addons=["DELEGATION", "AUDIT"])
    ).then_nothing()
