"""Users: a partner's people, invited by the admin or by an admin user of the partner;
they join on their first sign-in; their role changes; they are removed."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from domain.aggregate import DomainEvent
from domain.errors import Forbidden, NotEligible, ValidationFailed
from domain.user import User, user_id_for
from domain.values import Actor, ActorKind, PartnerKind, UserRole
from tests.support.events import T0, msp_partner
from tests.support.principals import ADMIN, MSP, MSP_ID, OTHER_MSP_ID
from tests.unit.domain.given_when_then import expect, given

ADA = "ada@msp.example"
ADA_ID = user_id_for(ADA)
GRACE = "grace@msp.example"
GRACE_ID = user_id_for(GRACE)
AS_ADA = Actor(kind=ActorKind.MSP, id=str(MSP_ID), user_id=ADA_ID)
LATER = T0 + timedelta(hours=1)


def invited(
    email: str = ADA, role: UserRole = UserRole.ADMIN, partner_id: UUID = MSP_ID
) -> DomainEvent:
    return User.Invited(
        originator_id=user_id_for(email),
        originator_version=0,
        timestamp=T0,
        recorded_at=T0,
        actor=ADMIN,
        partner_id=partner_id,
        partner_kind=PartnerKind.MSP,
        email=email,
        name="Ada Lovelace" if email == ADA else "",
        role=role,
    )


def event(kind: type[DomainEvent], user: UUID = ADA_ID, **facts: object) -> DomainEvent:
    return kind(
        originator_id=user,
        originator_version=0,
        timestamp=T0,
        recorded_at=T0,
        actor=ADMIN,
        **facts,  # type: ignore[arg-type]
    )


def ada(*more: DomainEvent) -> User:
    """Ada, an admin user of the MSP who has joined."""
    state: User = given(invited(), event(User.Joined), *more, aggregate_id=ADA_ID).state()
    return state


def invite(by: Actor, inviter: User | None, email: str = GRACE, **kw: object) -> object:
    return lambda existing: User.invite(
        existing=existing,
        partner=msp_partner(),
        email=email,
        name=str(kw.get("name", "Grace Hopper")),
        role=UserRole.MEMBER,
        at=LATER,
        by=by,
        inviter=inviter,
    )


def test_given_nothing_when_the_admin_invites_then_the_user_is_invited_under_its_address() -> None:
    recorded = (
        given()
        .when(invite(ADMIN, None, email="Grace@MSP.example"))
        .then(
            expect(
                User.Invited,
                originator_id=GRACE_ID,
                partner_id=MSP_ID,
                email="Grace@msp.example",
                name="Grace Hopper",
                role=UserRole.MEMBER,
            )
        )
    )
    assert recorded[0].actor == ADMIN


def test_given_an_admin_user_when_they_invite_then_the_event_names_them() -> None:
    recorded = given().when(invite(AS_ADA, ada())).then(User.Invited)
    assert recorded[0].actor.user_id == ADA_ID


def test_given_a_member_when_they_invite_then_they_are_refused() -> None:
    member = ada(event(User.RoleChanged, role=UserRole.MEMBER))
    given().when(invite(AS_ADA, member)).then_refused(Forbidden, "admin user of the partner")


def test_given_a_partners_key_without_a_person_when_it_invites_then_it_is_refused() -> None:
    given().when(invite(MSP, None)).then_refused(Forbidden)


def test_given_an_admin_user_of_another_partner_when_they_invite_then_they_are_refused() -> None:
    other = given(invited(partner_id=OTHER_MSP_ID), aggregate_id=ADA_ID).state()
    actor = Actor(kind=ActorKind.MSP, id=str(OTHER_MSP_ID), user_id=ADA_ID)
    given().when(invite(actor, other)).then_refused(Forbidden)


def test_given_a_user_when_their_address_is_invited_again_then_it_is_refused() -> None:
    given(invited(GRACE), aggregate_id=GRACE_ID).when(invite(ADMIN, None)).then_refused(
        ValidationFailed, "already the address of a user"
    )


def test_given_a_removed_user_when_invited_again_then_they_are_invited_anew() -> None:
    when = given(invited(GRACE), event(User.Removed, GRACE_ID), aggregate_id=GRACE_ID).when(
        invite(ADMIN, None)
    )
    when.then(expect(User.Invited, originator_version=3))
    assert when.aggregate.state.status == "invited"


def test_given_a_bad_address_or_name_when_invited_then_the_field_says_why() -> None:
    given().when(invite(ADMIN, None, email="not an address")).then_refused(
        ValidationFailed, "^email: "
    )
    given().when(invite(ADMIN, None, name="x" * 201)).then_refused(ValidationFailed, "^name: ")


def test_given_an_invited_user_when_they_sign_in_then_they_join_by_themself() -> None:
    recorded = (
        given(invited(), aggregate_id=ADA_ID).when(lambda u: u.join(at=LATER)).then(User.Joined)
    )
    assert recorded[0].actor == AS_ADA


def test_given_a_joined_user_when_they_sign_in_again_then_nothing_is_recorded() -> None:
    given(invited(), event(User.Joined), aggregate_id=ADA_ID).when(
        lambda u: u.join(at=LATER)
    ).then_nothing()


def test_given_a_removed_user_when_they_sign_in_then_they_are_refused() -> None:
    given(invited(), event(User.Removed), aggregate_id=ADA_ID).when(
        lambda u: u.join(at=LATER)
    ).then_refused(NotEligible, "removed")


def test_given_an_admin_user_when_they_change_a_members_role_then_it_is_recorded() -> None:
    given(invited(GRACE, UserRole.MEMBER), aggregate_id=GRACE_ID).when(
        lambda u: u.change_role(role=UserRole.ADMIN, at=LATER, by=AS_ADA, manager=ada())
    ).then(expect(User.RoleChanged, role=UserRole.ADMIN))


def test_given_the_same_role_when_it_is_set_then_nothing_is_recorded() -> None:
    given(invited(GRACE, UserRole.MEMBER), aggregate_id=GRACE_ID).when(
        lambda u: u.change_role(role=UserRole.MEMBER, at=LATER, by=ADMIN, manager=None)
    ).then_nothing()


def test_given_an_admin_user_when_they_change_their_own_role_or_remove_themself_then_no() -> None:
    me = given(invited(), event(User.Joined), aggregate_id=ADA_ID)
    me.when(
        lambda u: u.change_role(role=UserRole.MEMBER, at=LATER, by=AS_ADA, manager=ada())
    ).then_refused(NotEligible, "own role")
    me.when(lambda u: u.remove(at=LATER, by=AS_ADA, manager=ada())).then_refused(
        NotEligible, "remove themselves"
    )


def test_given_a_user_when_an_admin_user_removes_them_then_they_are_removed() -> None:
    when = given(invited(GRACE, UserRole.MEMBER), aggregate_id=GRACE_ID).when(
        lambda u: u.remove(at=LATER, by=AS_ADA, manager=ada())
    )
    when.then(User.Removed)
    assert when.aggregate.removed


def test_given_a_removed_user_when_removed_again_or_their_role_changed_then_no() -> None:
    gone = given(invited(GRACE), event(User.Removed, GRACE_ID), aggregate_id=GRACE_ID)
    gone.when(lambda u: u.remove(at=LATER, by=ADMIN, manager=None)).then_nothing()
    gone.when(
        lambda u: u.change_role(role=UserRole.MEMBER, at=LATER, by=ADMIN, manager=None)
    ).then_refused(NotEligible, "removed")


def test_given_a_removed_admin_user_when_they_manage_users_then_they_are_refused() -> None:
    removed = ada(event(User.Removed))
    given(invited(GRACE), aggregate_id=GRACE_ID).when(
        lambda u: u.remove(at=LATER, by=AS_ADA, manager=removed)
    ).then_refused(Forbidden)


def test_a_user_acts_as_their_partner_with_themself_named() -> None:
    user = ada()
    assert user.actor == AS_ADA
    assert user.actor.principal == MSP
    assert user.label == "Ada Lovelace (ada@msp.example)"


def test_an_actor_without_a_person_is_stored_as_it_was() -> None:
    assert MSP.model_dump(mode="json") == {"kind": "msp", "id": str(MSP_ID)}
    assert AS_ADA.model_dump(mode="json")["user_id"] == str(ADA_ID)
    assert Actor.model_validate({"kind": "msp", "id": str(MSP_ID)}) == MSP
