"""Users and their one-time sign-in links on every backend: a link is kept only as its
hash, works once, for 15 minutes by the service's clock; a session opened from it acts
as the partner with the person named, and stops when the person is removed."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest

from api.bootstrap import Services
from application.clock import TestClock
from application.errors import NotFound
from application.sign_in_links import LINK_TTL, token_hash
from domain.errors import Forbidden
from domain.user import User, UserStatus
from domain.values import UserRole
from tests.support.outbox import last_sign_in_link, sign_in_links, token_of
from tests.support.principals import ADMIN
from tests.support.world import World, open_services

ADA = "ada@msp.example"
GRACE = "grace@msp.example"


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    return tmp_path / "outbox"


@pytest.fixture
def services(database_url: str, clock: TestClock, outbox: Path) -> Iterator[Services]:
    with closing(open_services(database_url, clock, outbox_dir=outbox)) as app:
        yield app


@pytest.fixture
def world(services: Services) -> World:
    return World(services)


def invite_ada(world: World) -> UUID:
    invitation = world.services.users.invite(
        partner_id=world.msp_id, email=ADA, name="Ada Lovelace", role=UserRole.ADMIN, by=ADMIN
    )
    assert invitation.emailed
    return invitation.user.id


def test_an_invitation_is_emailed_and_only_its_hash_is_stored(
    world: World, services: Services, outbox: Path
) -> None:
    invite_ada(world)
    token = token_of(last_sign_in_link(outbox, ADA))
    rows = services.views.db.rows("SELECT * FROM console_sign_in_links")
    assert [r["token_hash"] for r in rows] == [token_hash(token)]
    assert token not in str(rows)
    assert len(token) >= 43  # 256 random bits


def test_a_link_signs_in_once_and_the_invited_user_joins(
    world: World, services: Services, outbox: Path
) -> None:
    user_id = invite_ada(world)
    token = token_of(last_sign_in_link(outbox, ADA))
    assert services.users.link_holder(token) is not None  # looking does not use it up
    assert services.users.link_holder(token) is not None
    user = services.users.redeem(token)
    assert user is not None
    assert user.id == user_id
    assert user.state.status is UserStatus.ACTIVE
    assert services.users.redeem(token) is None
    assert services.users.link_holder(token) is None
    assert services.views.db.rows("SELECT * FROM console_sign_in_links") == []


def test_a_link_expires_after_15_minutes_by_the_services_clock(
    world: World, services: Services, outbox: Path, clock: TestClock
) -> None:
    invite_ada(world)
    token = token_of(last_sign_in_link(outbox, ADA))
    clock.advance(LINK_TTL - timedelta(seconds=1))
    assert services.users.link_holder(token) is not None
    clock.advance(timedelta(seconds=1))
    assert services.users.link_holder(token) is None
    assert services.users.redeem(token) is None


def test_expired_links_are_purged(world: World, services: Services, clock: TestClock) -> None:
    invite_ada(world)
    assert services.users.links.purge() == 0
    clock.advance(LINK_TTL)
    assert services.users.links.purge() == 1


def test_a_sign_in_link_goes_to_a_user_and_nothing_to_an_unknown_address(
    world: World, services: Services, outbox: Path
) -> None:
    invite_ada(world)
    services.users.email_sign_in_link(ADA)
    services.users.email_sign_in_link("nobody@msp.example")
    services.users.email_sign_in_link("not an address")
    assert len(sign_in_links(outbox, ADA)) == 2
    assert len(list(outbox.glob("*.eml"))) == 2


def test_a_session_from_a_link_acts_for_the_partner_and_names_the_person(
    world: World, services: Services, outbox: Path
) -> None:
    user_id = invite_ada(world)
    user = services.users.redeem(token_of(last_sign_in_link(outbox, ADA)))
    assert user is not None
    opened = services.sessions.open_for(user)
    session = services.sessions.resolve(opened.token)
    assert session is not None
    assert session.actor.principal == world.msp
    assert session.actor.user_id == user_id


def test_a_removed_users_sessions_end_at_once_and_their_links_stop(
    world: World, services: Services, outbox: Path
) -> None:
    user_id = invite_ada(world)
    user = services.users.redeem(token_of(last_sign_in_link(outbox, ADA)))
    assert user is not None
    opened = services.sessions.open_for(user)
    services.users.email_sign_in_link(ADA)
    unused = token_of(last_sign_in_link(outbox, ADA))
    services.users.remove(user_id, by=ADMIN)
    assert services.sessions.resolve(opened.token) is None
    assert services.users.redeem(unused) is None
    services.users.email_sign_in_link(ADA)
    assert len(sign_in_links(outbox, ADA)) == 2  # nothing more to a removed user


def test_an_admin_user_manages_the_partners_users_and_a_member_does_not(
    world: World, services: Services, outbox: Path
) -> None:
    invite_ada(world)
    ada = services.users.redeem(token_of(last_sign_in_link(outbox, ADA)))
    assert ada is not None
    grace = services.users.invite(partner_id=world.msp_id, email=GRACE, by=ada.actor).user
    assert grace.role is UserRole.MEMBER
    listed = services.users.of_partner(world.msp_id, by=ada.actor)
    assert [u.email for u in listed] == [ADA, GRACE]
    grace_user = services.uow.load(User, grace.id)
    with pytest.raises(Forbidden):
        services.users.remove(ada.id, by=grace_user.actor)
    promoted = services.users.change_role(grace.id, role=UserRole.ADMIN, by=ada.actor)
    assert promoted.role is UserRole.ADMIN
    with pytest.raises(NotFound):  # another partner's person sees no such user
        services.users.of_partner(world.msp_id, by=world.other_msp)


def test_of_two_uses_of_a_link_at_once_one_signs_in(
    world: World, services: Services, outbox: Path
) -> None:
    invite_ada(world)
    token = token_of(last_sign_in_link(outbox, ADA))
    with ThreadPoolExecutor(max_workers=2) as pool:
        taken = list(pool.map(lambda _: services.users.links.consume(token), range(2)))
    assert sum(link is not None for link in taken) == 1


def test_the_users_view_rebuilt_is_the_one_kept_live(world: World, services: Services) -> None:
    invite_ada(world)
    services.users.invite(partner_id=world.msp_id, email=GRACE, by=ADMIN)
    services.users.remove(services.users.of_partner(world.msp_id, by=ADMIN)[1].id, by=ADMIN)
    services.views.wait_until_current()
    live = services.views.db.rows("SELECT * FROM view_users ORDER BY email")
    services.views.rebuild("users")
    assert services.views.db.rows("SELECT * FROM view_users ORDER BY email") == live
    assert [r["email"] for r in live] == [ADA, GRACE]
