"""Console sessions on every backend: opened with a key, resolved by the token's hash,
touched, ended by sign-out, idleness, age or a revoked key, and purged."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.session_store import SqlSessionRecords
from api.bootstrap import Services
from application.clock import TestClock
from application.console_sessions import IDLE, Refused, digest
from domain.partner import Partner, PartnerKind
from domain.service_account import ServiceRole
from domain.values import Actor, ActorKind
from tests.support.principals import ADMIN, ADMIN_TOKEN


def partner_key(services: Services) -> tuple[Partner, str]:
    dto, key = services.partners.register(name="Acme MSP", kind=PartnerKind.MSP, by=ADMIN)
    return services.uow.load(Partner, dto.id), key


def test_a_session_is_found_by_its_token_and_keeps_only_its_hash(services: Services) -> None:
    partner, key = partner_key(services)
    opened = services.sessions.open(key)
    assert opened is not None
    assert opened.session.actor == Actor(kind=ActorKind.MSP, id=str(partner.id))
    found = services.sessions.resolve(opened.token)
    assert found == opened.session
    rows = services.views.db.rows("SELECT token_hash FROM console_sessions")
    assert [r["token_hash"] for r in rows] == [digest(opened.token)]


def test_a_bad_key_opens_nothing_and_a_services_key_is_refused(services: Services) -> None:
    assert services.sessions.open("tnt_p0_nothing") is None
    importer = services.partners.register_service_account(
        role=ServiceRole.IMPORTER, name="importer", by=ADMIN
    )
    with pytest.raises(Refused):
        services.sessions.open(importer.api_key)


def test_use_moves_the_idle_deadline(services: Services, clock: TestClock) -> None:
    _, key = partner_key(services)
    opened = services.sessions.open(key)
    assert opened is not None
    clock.advance(IDLE - timedelta(seconds=1))
    touched = services.sessions.resolve(opened.token)
    assert touched is not None
    assert touched.last_seen_at == clock.now()
    clock.advance(IDLE - timedelta(seconds=1))
    assert services.sessions.resolve(opened.token) is not None
    clock.advance(IDLE)
    assert services.sessions.resolve(opened.token) is None


def test_closing_ends_the_session(services: Services) -> None:
    _, key = partner_key(services)
    opened = services.sessions.open(key)
    assert opened is not None
    services.sessions.close(opened.token)
    assert services.sessions.resolve(opened.token) is None


def test_the_admin_signs_in_with_the_admin_token(services: Services) -> None:
    opened = services.sessions.open(ADMIN_TOKEN)
    assert opened is not None
    assert opened.session.actor == ADMIN
    assert services.sessions.resolve(opened.token) is not None


def test_expired_sessions_are_purged_and_live_ones_kept(
    services: Services, clock: TestClock
) -> None:
    _, key = partner_key(services)
    old = services.sessions.open(key)
    clock.advance(IDLE - timedelta(minutes=1))
    new = services.sessions.open(key)
    assert old is not None
    assert new is not None
    clock.advance(timedelta(minutes=1))
    assert services.sessions.purge() == 1
    assert services.sessions.resolve(new.token) is not None


def test_a_sessions_table_made_before_people_signed_in_gains_their_column(
    services: Services,
) -> None:
    """Given the table as the key-only console made it, when the schema is created again,
    then sessions of people are kept in it, and those of keys read as before."""
    db = services.views.db
    with db.schema_transaction() as tx:
        tx.execute("DROP TABLE console_sessions")
        tx.execute(CREATE_BEFORE_PEOPLE)
    _, key = partner_key(services)
    SqlSessionRecords(db).create_schema()
    SqlSessionRecords(db).create_schema()  # again: nothing more to do
    opened = services.sessions.open(key)
    assert opened is not None
    assert services.sessions.resolve(opened.token) == opened.session
    assert opened.session.actor.user_id is None


CREATE_BEFORE_PEOPLE = (
    "CREATE TABLE console_sessions ("
    " token_hash TEXT PRIMARY KEY, actor_kind TEXT NOT NULL, actor_id TEXT NOT NULL,"
    " csrf_token TEXT NOT NULL, key_id TEXT NOT NULL, key_hash TEXT NOT NULL,"
    " created_at {instant} NOT NULL, last_seen_at {instant} NOT NULL)"
)
