"""Who sees which customer: one rule, as data, for the application and the list views."""

from __future__ import annotations

from uuid import UUID

import pytest

from application.authorization import (
    NOTHING,
    PartnerVisibility,
    Visibility,
    can_read_partner,
    partners_listed_for,
    visible_to,
)
from domain.values import Actor, ActorKind

PARTNER = UUID(int=7)


@pytest.mark.parametrize("kind", [ActorKind.AUDITOR, ActorKind.ADMIN])
def test_auditors_and_the_admin_see_every_customer(kind: ActorKind) -> None:
    assert visible_to(Actor(kind=kind, id="x")) == Visibility(everything=True)


def test_an_msp_sees_its_own_customers() -> None:
    msp = Actor(kind=ActorKind.MSP, id=str(PARTNER))
    assert visible_to(msp) == Visibility(owner=PARTNER)


def test_a_distributor_sees_its_own_and_its_msps_customers() -> None:
    distributor = Actor(kind=ActorKind.DISTRIBUTOR, id=str(PARTNER))
    assert visible_to(distributor) == Visibility(owner=PARTNER, distributor=PARTNER)


@pytest.mark.parametrize(
    "actor",
    [
        Actor(kind=ActorKind.IMPORTER, id=str(PARTNER)),
        Actor(kind=ActorKind.SYSTEM, id="process-manager"),
        Actor(kind=ActorKind.CUSTOMER, id=str(PARTNER)),
        Actor(kind=ActorKind.MSP, id="not-a-uuid"),
    ],
)
def test_anyone_else_sees_no_customer_in_a_list(actor: Actor) -> None:
    assert visible_to(actor) == NOTHING


# Partners: one rule for the partners page's list and a partner's read of a record.
MSP_UNDER = UUID(int=8)
OTHER = UUID(int=9)


@pytest.mark.parametrize("kind", [ActorKind.AUDITOR, ActorKind.ADMIN])
def test_auditors_and_the_admin_list_and_read_every_partner(kind: ActorKind) -> None:
    # Given the admin or an auditor
    by = Actor(kind=kind, id="x")
    # Then it lists every partner, and reads any one
    assert partners_listed_for(by) == PartnerVisibility(everything=True)
    assert can_read_partner(OTHER, None, by)


def test_a_distributor_lists_its_msps_and_reads_them_and_itself_but_no_other() -> None:
    # Given a distributor
    by = Actor(kind=ActorKind.DISTRIBUTOR, id=str(PARTNER))
    # Then it lists its MSPs
    assert partners_listed_for(by) == PartnerVisibility(msps_of=PARTNER)
    # And reads one of them and its own record, never another partner's
    assert can_read_partner(MSP_UNDER, PARTNER, by)
    assert can_read_partner(PARTNER, None, by)
    assert not can_read_partner(OTHER, None, by)
    assert not can_read_partner(OTHER, OTHER, by)


def test_an_msp_lists_and_reads_only_itself() -> None:
    # Given an MSP under a distributor
    by = Actor(kind=ActorKind.MSP, id=str(MSP_UNDER))
    # Then it lists itself, reads itself, and neither its distributor nor another MSP
    assert partners_listed_for(by) == PartnerVisibility(itself=MSP_UNDER)
    assert can_read_partner(MSP_UNDER, PARTNER, by)
    assert not can_read_partner(PARTNER, None, by)
    assert not can_read_partner(OTHER, PARTNER, by)


@pytest.mark.parametrize(
    "actor",
    [
        Actor(kind=ActorKind.IMPORTER, id=str(PARTNER)),
        Actor(kind=ActorKind.CUSTOMER, id=str(PARTNER)),
        Actor(kind=ActorKind.MSP, id="not-a-uuid"),
    ],
)
def test_anyone_else_lists_and_reads_no_partner(actor: Actor) -> None:
    assert partners_listed_for(actor) == PartnerVisibility()
    assert not can_read_partner(OTHER, None, actor)
