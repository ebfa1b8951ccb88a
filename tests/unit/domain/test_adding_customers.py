"""Add customer: validation of the organization, email, catalogue codes and source."""

from __future__ import annotations

from typing import Any

import pytest

from domain.customer import Customer
from domain.errors import Forbidden, ValidationFailed
from domain.partner import Partner
from domain.values import Source, Stage, Status
from tests.support.events import CATALOGUE, ESSENTIALS, POLICY, T0, distributor_partner, msp_partner
from tests.support.principals import ADMIN, DISTRIBUTOR, DISTRIBUTOR_ID, MSP, MSP_ID, OTHER_MSP
from tests.unit.domain.given_when_then import CUSTOMER_ID, When, expect, given


def adding(
    owner: Partner | None = None, *, by: Any = MSP, direct: bool = False, **overrides: Any
) -> When[Any]:
    fields: dict[str, Any] = {
        "organization_name": "Contoso Ltd",
        "notification_email": "it@contoso.example.com",
        "sku": ESSENTIALS,
        "addons": [],
    }
    fields.update(overrides)
    partner = owner or msp_partner()
    return given().when(
        lambda _: Customer.add(
            customer_id=CUSTOMER_ID,
            owner=partner,
            direct=direct,
            catalogue=CATALOGUE,
            policy=POLICY,
            at=T0,
            by=by,
            **fields,
        )
    )


def test_an_msp_adds_a_customer_in_trial_and_pending_with_an_activation_link() -> None:
    adding().then(
        expect(
            Customer.Created,
            organization_name="Contoso Ltd",
            sku=ESSENTIALS,
            addons=(),
            partner_id=MSP_ID,
            distributor_id=DISTRIBUTOR_ID,
            source=Source.MSP,
            link_expires_at=T0 + POLICY.link_ttl,
            timestamp=T0,
            actor=MSP,
        )
    )


def test_a_new_customer_is_in_trial_in_the_pending_stage() -> None:
    customer = adding().aggregate
    assert (customer.state.status, customer.state.stage) == (Status.TRIAL, Stage.PENDING)
    assert customer.state.link_version == 1
    assert customer.version == 1


def test_the_organization_name_is_trimmed() -> None:
    adding(organization_name="  Contoso Ltd \n").then(
        expect(Customer.Created, organization_name="Contoso Ltd")
    )


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_a_blank_organization_name_is_refused(name: str) -> None:
    adding(organization_name=name).then_refused(ValidationFailed, match="organization_name")


def test_an_organization_name_of_200_characters_is_accepted() -> None:
    adding(organization_name="x" * 200).then(Customer.Created)


def test_an_organization_name_over_200_characters_is_refused() -> None:
    adding(organization_name="x" * 201).then_refused(ValidationFailed, match="at most 200")


def test_the_length_limit_applies_after_trimming() -> None:
    adding(organization_name=" " + "x" * 200 + " ").then(Customer.Created)


@pytest.mark.parametrize("email", ["", "not-an-email", "a@", "@example.com", "a b@example.com"])
def test_an_invalid_notification_email_is_refused(email: str) -> None:
    adding(notification_email=email).then_refused(ValidationFailed, match="notification_email")


def test_the_sku_must_come_from_the_catalogue() -> None:
    adding(sku="ENTERPRISE_1999").then_refused(ValidationFailed, match="sku")


def test_an_empty_sku_is_refused() -> None:
    adding(sku="").then_refused(ValidationFailed, match="sku")


def test_add_ons_are_a_set_kept_in_a_stable_order() -> None:
    adding(addons=["HYBRID_2025", "AUDIT"]).then(
        expect(Customer.Created, addons=("AUDIT", "HYBRID_2025"))
    )


def test_an_unknown_add_on_is_refused() -> None:
    adding(addons=["AUDIT", "TELEPORT"]).then_refused(ValidationFailed, match="TELEPORT")


def test_an_add_on_given_twice_is_refused() -> None:
    adding(addons=["AUDIT", "AUDIT"]).then_refused(ValidationFailed, match="at most once")


def test_a_distributor_adding_its_own_customer_gets_source_distributor() -> None:
    adding(distributor_partner(), by=DISTRIBUTOR).then(
        expect(Customer.Created, source=Source.DISTRIBUTOR, distributor_id=None)
    )


def test_the_admin_adds_a_direct_customer_on_a_partners_behalf() -> None:
    adding(by=ADMIN, direct=True).then(
        expect(Customer.Created, source=Source.DIRECT, partner_id=MSP_ID, actor=ADMIN)
    )


def test_a_partner_cannot_create_a_direct_customer() -> None:
    adding(by=MSP, direct=True).then_refused(Forbidden, match="admin")


def test_a_partner_cannot_add_a_customer_for_another_partner() -> None:
    adding(by=OTHER_MSP).then_refused(Forbidden)


def test_a_distributor_cannot_add_a_customer_for_its_msp() -> None:
    adding(by=DISTRIBUTOR).then_refused(Forbidden)
