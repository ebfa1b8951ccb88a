"""Who sees which customer: one rule, as data, for the application and the list views."""

from __future__ import annotations

from uuid import UUID

import pytest

from application.authorization import NOTHING, Visibility, visible_to
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
