"""Partners and service accounts: registration by the admin, status, API keys as hashes."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from uuid import UUID

import pytest

import domain.keys
from domain.errors import Forbidden, InvalidState, ValidationFailed
from domain.partner import Partner
from domain.service_account import ServiceAccount
from domain.values import ActorKind, PartnerKind, PartnerStatus, ServiceRole
from tests.support.events import T0, distributor_partner, msp_partner
from tests.support.principals import ADMIN, DISTRIBUTOR_ID, MSP, MSP_ID, OTHER_MSP
from tests.unit.domain.given_when_then import expect, given

SECRET = "s3cret-" + "x" * 36
ACCOUNT_ID = UUID("00000000-0000-4000-8000-0000000000e1")


def registered(kind: PartnerKind = PartnerKind.MSP, **overrides: object) -> Partner.Registered:
    fields: dict[str, object] = {
        "name": "Acme MSP",
        "kind": kind,
        "status": PartnerStatus.TRIAL,
        "distributor_id": None,
    }
    fields.update(overrides)
    return Partner.Registered(
        originator_id=MSP_ID,
        originator_version=0,
        timestamp=T0,
        recorded_at=T0,
        actor=ADMIN,
        **fields,  # type: ignore[arg-type]
    )


def key_issued(key_id: str = "k1", secret: str = SECRET) -> Partner.ApiKeyIssued:
    return Partner.ApiKeyIssued(
        originator_id=MSP_ID,
        originator_version=0,
        timestamp=T0,
        recorded_at=T0,
        actor=ADMIN,
        key_id=key_id,
        key_hash=hashlib.sha256(secret.encode()).hexdigest(),
    )


def test_the_admin_registers_an_msp_under_a_distributor() -> None:
    partner = msp_partner(PartnerStatus.TRIAL)
    [event] = partner.collect_events()
    assert type(event) is Partner.Registered
    assert (partner.state.kind, partner.state.status) == (PartnerKind.MSP, PartnerStatus.TRIAL)
    assert partner.state.distributor_id == DISTRIBUTOR_ID
    assert event.actor == ADMIN


def test_only_the_admin_registers_partners() -> None:
    with pytest.raises(Forbidden):
        Partner.register(
            partner_id=MSP_ID,
            name="Acme",
            kind=PartnerKind.MSP,
            status=PartnerStatus.TRIAL,
            distributor=None,
            at=T0,
            by=MSP,
        )


def test_a_partner_name_is_trimmed_and_must_not_be_blank() -> None:
    def register(name: str) -> Partner:
        return msp_partner(PartnerStatus.TRIAL, under_distributor=False, name=name, at=T0)

    assert register("  Acme  ").state.name == "Acme"
    with pytest.raises(ValidationFailed, match="name"):
        register("   ")


def test_only_an_msp_belongs_to_a_distributor() -> None:
    with pytest.raises(ValidationFailed, match="only an MSP"):
        Partner.register(
            partner_id=MSP_ID,
            name="Sub-distributor",
            kind=PartnerKind.DISTRIBUTOR,
            status=PartnerStatus.TRIAL,
            distributor=distributor_partner(),
            at=T0,
            by=ADMIN,
        )


def test_an_msp_cannot_belong_to_another_msp() -> None:
    with pytest.raises(ValidationFailed, match="not a distributor"):
        Partner.register(
            partner_id=MSP_ID,
            name="Acme",
            kind=PartnerKind.MSP,
            status=PartnerStatus.TRIAL,
            distributor=msp_partner(partner_id=DISTRIBUTOR_ID, under_distributor=False),
            at=T0,
            by=ADMIN,
        )


def test_the_admin_moves_a_partner_to_production() -> None:
    given(registered(), aggregate_id=MSP_ID).when(
        lambda p: p.change_status(status=PartnerStatus.PRODUCTION, at=T0, by=ADMIN)
    ).then(expect(Partner.StatusChanged, status=PartnerStatus.PRODUCTION))


def test_the_same_status_records_nothing() -> None:
    given(registered(), aggregate_id=MSP_ID).when(
        lambda p: p.change_status(status=PartnerStatus.TRIAL, at=T0, by=ADMIN)
    ).then_nothing()


def test_a_partner_cannot_change_its_own_status() -> None:
    given(registered(), aggregate_id=MSP_ID).when(
        lambda p: p.change_status(status=PartnerStatus.PRODUCTION, at=T0, by=MSP)
    ).then_refused(Forbidden)


def test_an_issued_key_is_stored_only_as_its_hash() -> None:
    [event] = (
        given(registered(), aggregate_id=MSP_ID)
        .when(lambda p: p.issue_api_key(key_id="k1", secret=SECRET, at=T0, by=ADMIN))
        .then(expect(Partner.ApiKeyIssued, key_id="k1"))
    )
    assert event.key_hash == hashlib.sha256(SECRET.encode()).hexdigest()  # type: ignore[attr-defined]
    assert SECRET not in event.model_dump_json()


def test_a_key_verifies_with_its_secret_only() -> None:
    partner = given(registered(), key_issued(), aggregate_id=MSP_ID).state()
    assert partner.verify_api_key("k1", SECRET)
    assert not partner.verify_api_key("k1", SECRET + "x")
    assert not partner.verify_api_key("k2", SECRET)
    assert not partner.verify_api_key("k1", "")


def test_verification_compares_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, str]] = []

    def compare_digest(a: str, b: str) -> bool:
        calls.append((a, b))
        return a == b

    monkeypatch.setattr(domain.keys.hmac, "compare_digest", compare_digest)
    partner = given(registered(), key_issued(), aggregate_id=MSP_ID).state()
    assert partner.verify_api_key("k1", SECRET)
    assert calls == [(hashlib.sha256(SECRET.encode()).hexdigest(),) * 2]


def test_a_key_id_cannot_be_issued_twice() -> None:
    given(registered(), key_issued(), aggregate_id=MSP_ID).when(
        lambda p: p.issue_api_key(key_id="k1", secret="other", at=T0, by=ADMIN)
    ).then_refused(InvalidState)


def test_a_revoked_key_no_longer_verifies() -> None:
    when = given(registered(), key_issued(), aggregate_id=MSP_ID).when(
        lambda p: p.revoke_api_key(key_id="k1", at=T0 + timedelta(days=1), by=ADMIN)
    )
    when.then(expect(Partner.ApiKeyRevoked, key_id="k1"))
    assert not when.aggregate.verify_api_key("k1", SECRET)


def test_revoking_an_unknown_key_is_refused() -> None:
    given(registered(), aggregate_id=MSP_ID).when(
        lambda p: p.revoke_api_key(key_id="nope", at=T0, by=ADMIN)
    ).then_refused(InvalidState)


def test_a_partner_revokes_its_own_key() -> None:
    when = given(registered(), key_issued(), aggregate_id=MSP_ID).when(
        lambda p: p.revoke_api_key(key_id="k1", at=T0, by=MSP)
    )
    when.then(expect(Partner.ApiKeyRevoked, key_id="k1", actor=MSP))
    assert when.aggregate.state.keys == {}
    assert when.aggregate.state.issued_at == {}


def test_another_partner_may_not_revoke_a_partners_key() -> None:
    given(registered(), key_issued(), aggregate_id=MSP_ID).when(
        lambda p: p.revoke_api_key(key_id="k1", at=T0, by=OTHER_MSP)
    ).then_refused(Forbidden)


def test_a_key_remembers_when_it_was_issued() -> None:
    later = T0 + timedelta(hours=3)
    when = given(registered(), key_issued(), aggregate_id=MSP_ID).when(
        lambda p: p.issue_api_key(key_id="k2", secret="other", at=later, by=ADMIN)
    )
    assert when.aggregate.state.issued_at == {"k1": T0, "k2": later}


def test_a_partner_acts_as_its_kind() -> None:
    assert msp_partner().actor_kind is ActorKind.MSP
    assert distributor_partner().actor_kind is ActorKind.DISTRIBUTOR
    assert msp_partner().is_actor(MSP)


def test_the_admin_registers_an_importer_service_account_with_a_key() -> None:
    account = ServiceAccount.register(
        account_id=ACCOUNT_ID, role=ServiceRole.IMPORTER, name=" importer ", at=T0, by=ADMIN
    )
    account.issue_api_key(key_id="k1", secret=SECRET, at=T0, by=ADMIN)
    events = account.collect_events()
    assert [type(e) for e in events] == [ServiceAccount.Registered, ServiceAccount.ApiKeyIssued]
    assert account.state.name == "importer"
    assert account.verify_api_key("k1", SECRET)
    account.revoke_api_key(key_id="k1", at=T0, by=ADMIN)
    assert not account.verify_api_key("k1", SECRET)


def test_only_the_admin_registers_service_accounts() -> None:
    with pytest.raises(Forbidden):
        ServiceAccount.register(
            account_id=ACCOUNT_ID, role=ServiceRole.AUDITOR, name="audit", at=T0, by=MSP
        )
