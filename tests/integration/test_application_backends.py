"""The application's use cases on every backend: memory, SQLite and PostgreSQL.

Under ``CI=true`` the PostgreSQL variants fail instead of skipping when no server runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, cast
from uuid import UUID, uuid4

import pytest

from api.bootstrap import Services
from application.clock import TestClock
from application.errors import NotFound, PreconditionFailed
from domain.aggregate import DomainEvent
from domain.customer import Customer
from domain.errors import (
    DomainError,
    ExtensionNotYetAvailable,
    Forbidden,
    PartnerInTrial,
    ValidationFailed,
)
from domain.values import Actor, ActorKind, PartnerKind, PartnerStatus, ServiceRole, Status
from tests.support.events import ESSENTIALS, PROFESSIONAL
from tests.support.principals import ADMIN, ADMIN_TOKEN, AUDITOR
from tests.support.world import World, open_services
from tests.unit.domain.given_when_then import replay

ADDON_SETS = [(), ("AUDIT",), ("DELEGATION",), ("HYBRID_2025",), ("AUDIT", "DELEGATION")]


def events_of(app: Services, customer_id: UUID) -> list[DomainEvent]:
    return [cast(DomainEvent, e) for e in app.store.events.get(customer_id)]


def test_the_whole_story_from_adding_to_the_automatic_upgrade(
    services: Services, clock: TestClock
) -> None:
    world = World(services)
    customers = services.customers
    start = clock.now()

    added = customers.add(
        partner_id=world.msp_id,
        organization_name="  Contoso Ltd ",
        notification_email="it@contoso.example.com",
        sku=ESSENTIALS,
        addons=["AUDIT"],
        by=world.msp,
    ).customer
    cid = added.id
    assert (added.status, added.stage, added.source) == (Status.TRIAL, "pending", "MSP")
    customers.record_activation_sent(cid, link_version=1, message_id="<1@t>")
    clock.advance(timedelta(hours=1))
    customers.activate(cid, link_version=1)
    clock.advance(timedelta(hours=1))
    customers.record_import_failure(cid, code="E42", message="quota", by=world.importer)
    clock.advance(timedelta(hours=1))
    onboarded = customers.complete_import(cid, by=world.importer).customer
    onboarded_at = clock.now()
    assert onboarded.trial_ends_at == onboarded_at + timedelta(days=14)
    ends = onboarded_at + timedelta(days=14)

    with pytest.raises(ExtensionNotYetAvailable) as refusal:
        customers.extend_trial(cid, by=world.msp)
    assert refusal.value.available_from == ends - timedelta(days=3)
    with pytest.raises(Forbidden):
        customers.extend_trial(cid, by=world.distributor)

    clock.set(ends - timedelta(days=3) + timedelta(hours=1))
    extended = customers.extend_trial(cid, by=world.msp).customer
    new_end = ends + timedelta(days=7)
    assert extended.trial_ends_at == new_end

    clock.set(new_end + timedelta(days=2, hours=5))  # the service was down at the trial end
    upgraded = customers.end_trial_if_due(cid).customer
    assert upgraded.status is Status.PRODUCTION
    assert upgraded.expiration_date == new_end.date() + timedelta(days=365)
    assert upgraded.production_since == new_end

    history = services.queries.history(cid, by=AUDITOR).events
    assert [e.type for e in history] == [
        "Created",
        "ActivationSent",
        "Activated",
        "ImportFailed",
        "Onboarded",
        "TrialExtended",
        "UpgradedToProduction",
    ]
    assert [e.version for e in history] == list(range(1, 8))
    assert [e.actor.kind for e in history] == [
        "msp",
        "system",
        "customer",
        "importer",
        "importer",
        "msp",
        "system",
    ]
    assert history[0].effective_at == start
    assert history[-1].effective_at == new_end
    assert history[-1].recorded_at == clock.now()
    assert history[0].data["organization_name"] == "Contoso Ltd"

    at_v5 = services.queries.get(cid, by=world.msp, version=5)
    assert (at_v5.version, at_v5.stage, at_v5.trial_ends_at) == (5, "onboarded", ends)

    before = services.queries.get(cid, by=AUDITOR, as_of=new_end - timedelta(seconds=1))
    assert (before.status, before.trial_ends_at, before.version) == (Status.TRIAL, new_end, 6)
    after = services.queries.get(cid, by=AUDITOR, as_of=new_end)
    assert after.status is Status.PRODUCTION
    with pytest.raises(NotFound):
        services.queries.get(cid, by=AUDITOR, as_of=start - timedelta(seconds=1))

    now = services.queries.get(cid, by=world.distributor)
    assert now.status is Status.PRODUCTION
    assert now.onboarding.import_errors[0].code == "E42"


def test_a_held_trial_expires_and_the_msp_in_production_converts_it(
    services: Services, clock: TestClock
) -> None:
    world = World(services, msp_status=PartnerStatus.TRIAL)
    customers = services.customers
    cid = world.onboarded_customer()
    ends = clock.now() + timedelta(days=14)
    customers.set_automatic_upgrade(cid, enabled=False, by=world.msp)

    clock.set(ends + timedelta(hours=3))
    with pytest.raises(PartnerInTrial):
        customers.convert_to_production(cid, expiration_date=date(2027, 3, 1), by=world.msp)
    # A refused command records nothing, not even the due expiry; the process manager does.
    assert customers.end_trial_if_due(cid).customer.status is Status.EXPIRED

    services.partners.change_status(world.msp_id, status=PartnerStatus.PRODUCTION, by=ADMIN)
    converted = customers.convert_to_production(
        cid, expiration_date=date(2027, 3, 1), sku=PROFESSIONAL, addons=["AUDIT"], by=world.msp
    ).customer
    assert (converted.status, converted.sku, converted.addons) == (
        Status.PRODUCTION,
        PROFESSIONAL,
        ["AUDIT"],
    )
    assert converted.expiration_date == date(2027, 3, 1)
    types = [type(e).__name__ for e in events_of(services, cid)]
    assert types[-3:] == ["UpgradeHeld", "TrialExpired", "ConvertedToProduction"]
    [expired] = [e for e in events_of(services, cid) if isinstance(e, Customer.TrialExpired)]
    assert expired.timestamp == ends
    assert expired.actor.kind is ActorKind.SYSTEM


def test_a_customer_is_invisible_to_other_partners(services: Services, clock: TestClock) -> None:
    world = World(services)
    other, key = services.partners.register(name="Other", kind=PartnerKind.MSP, by=ADMIN)
    cid = world.onboarded_customer()
    stranger = world.actor(key)
    with pytest.raises(NotFound):
        services.queries.get(cid, by=stranger)
    with pytest.raises(NotFound):
        services.customers.extend_trial(cid, by=stranger)
    assert other.id != world.msp_id


def test_snapshots_are_taken_for_long_histories_and_reloading_equals_replay(
    database_url: str, clock: TestClock
) -> None:
    app = open_services(database_url, clock, snapshot_interval=4)
    try:
        world = World(app)
        cid = world.onboarded_customer()  # versions 1..3
        for n in range(10):
            clock.advance(timedelta(minutes=5))
            app.customers.change_subscription(cid, addons=list(ADDON_SETS[1 + n % 4]), by=world.msp)
        assert app.store.snapshots is not None
        snapshots = list(app.store.snapshots.get(cid))
        assert [s.originator_version for s in snapshots] == [4, 8, 12]
        events = events_of(app, cid)
        assert len(events) == 13
        loaded = app.customers.uow.load(Customer, cid)
        rebuilt = replay(events)
        assert (loaded.state, loaded.version, loaded.modified_on) == (
            rebuilt.state,
            rebuilt.version,
            rebuilt.modified_on,
        )
        for version in (3, 4, 9, 13):
            at_version = app.customers.uow.load(Customer, cid, version)
            assert at_version.state == replay(events[:version]).state
    finally:
        app.close()


def run_together(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Start ``count`` threads at the same instant; collect each result or exception."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as error:
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_concurrent_extensions_in_the_window_extend_exactly_once(
    services: Services, clock: TestClock
) -> None:
    world = World(services)
    cid = world.onboarded_customer()
    ends = clock.now() + timedelta(days=14)
    clock.set(ends - timedelta(days=2))

    results = run_together(16, lambda _: services.customers.extend_trial(cid, by=world.msp))

    failures = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(f, ExtensionNotYetAvailable) for f in failures), failures
    assert len(failures) == 15
    extensions = [e for e in events_of(services, cid) if isinstance(e, Customer.TrialExtended)]
    assert len(extensions) == 1
    assert services.queries.get(cid, by=world.msp).trial_ends_at == ends + timedelta(days=7)


def test_concurrent_subscription_changes_all_land_with_contiguous_versions(
    services: Services, clock: TestClock
) -> None:
    world = World(services)
    cid = world.onboarded_customer()
    targets = [
        (sku, addons)
        for sku in (ESSENTIALS, PROFESSIONAL)
        for addons in ADDON_SETS
        if (sku, addons) != (ESSENTIALS, ())
    ]

    def change(i: int) -> object:
        sku, addons = targets[i]
        return services.customers.change_subscription(
            cid, sku=sku, addons=list(addons), by=world.msp
        )

    results = run_together(len(targets), change)

    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    events = events_of(services, cid)
    assert [e.originator_version for e in events] == list(range(1, len(events) + 1))
    changes = [e for e in events if isinstance(e, Customer.SubscriptionChanged)]
    assert len(changes) == len(targets)
    last = changes[-1]
    current = services.queries.get(cid, by=world.msp)
    assert (current.sku, tuple(current.addons)) == (last.sku, last.addons)  # type: ignore[attr-defined]


def test_concurrent_holds_and_releases_are_serialised(services: Services, clock: TestClock) -> None:
    world = World(services)
    cid = world.onboarded_customer()

    results = run_together(
        8,
        lambda i: services.customers.set_automatic_upgrade(cid, enabled=i % 2 == 0, by=world.msp),
    )

    assert not [r for r in results if isinstance(r, Exception) and not isinstance(r, DomainError)]
    events = events_of(services, cid)
    assert [e.originator_version for e in events] == list(range(1, len(events) + 1))
    toggles = [type(e).__name__ for e in events[3:]]
    # Each change flips the setting: held and released alternate, starting with a hold.
    assert toggles == ["UpgradeHeld", "UpgradeReleased"] * (len(toggles) // 2) + (
        ["UpgradeHeld"] if len(toggles) % 2 else []
    )


# ------------------------------------------------------------ authentication
def test_a_partner_key_authenticates_as_that_partner(services: Services) -> None:
    world = World(services)
    assert world.msp == Actor(kind=ActorKind.MSP, id=str(world.msp_id))
    assert world.distributor == Actor(kind=ActorKind.DISTRIBUTOR, id=str(world.distributor_id))


def test_a_service_account_key_authenticates_in_its_role(services: Services) -> None:
    world = World(services)
    assert world.importer.kind is ActorKind.IMPORTER
    auditor_key = services.partners.register_service_account(
        role=ServiceRole.AUDITOR, name="audit", by=ADMIN
    ).api_key
    assert world.actor(auditor_key).kind is ActorKind.AUDITOR


def test_a_newly_issued_key_works_alongside_the_first(services: Services) -> None:
    world = World(services)
    second = services.partners.issue_api_key(world.msp_id, by=ADMIN).api_key
    assert world.actor(second) == world.msp == world.actor(world.msp_key)


def test_a_wrong_secret_authenticates_nobody(services: Services) -> None:
    world = World(services)
    assert services.auth.authenticate(world.msp_key[:-2] + "xx") is None
    assert services.auth.authenticate(world.msp_key + "x") is None


def test_a_key_naming_an_unknown_holder_authenticates_nobody(services: Services) -> None:
    world = World(services)
    prefix, holder, key_id, secret = world.msp_key.split("_", 3)
    forged = f"{prefix}_p{uuid4().hex}_{key_id}_{secret}"
    assert services.auth.authenticate(forged) is None
    as_account = f"{prefix}_s{holder[1:]}_{key_id}_{secret}"
    assert services.auth.authenticate(as_account) is None


@pytest.mark.parametrize(
    "garbage", ["", "Bearer", "tnt", "tnt_p_x_y", "tnt_zzz_k_s", "tnt_pnothex_k_s", "a_b_c_d"]
)
def test_garbage_authenticates_nobody(services: Services, garbage: str) -> None:
    assert services.auth.authenticate(garbage) is None


def test_the_admin_token_authenticates_the_admin(services: Services) -> None:
    assert services.auth.authenticate(ADMIN_TOKEN) == ADMIN
    assert services.auth.authenticate(ADMIN_TOKEN + "!") is None


def test_only_the_admin_registers_partners(services: Services) -> None:
    world = World(services)
    with pytest.raises(Forbidden):
        services.partners.register(name="Sneaky", kind=PartnerKind.MSP, by=world.msp)


def test_the_clock_decides_every_instant(services: Services, clock: TestClock) -> None:
    world = World(services)
    cid = world.onboarded_customer()
    stamps: list[datetime] = [e.recorded_at for e in events_of(services, cid)]
    assert set(stamps) == {clock.now()}


def test_a_command_expecting_a_stale_version_is_refused(services: Services) -> None:
    world = World(services)
    cid = world.onboarded_customer()
    with pytest.raises(PreconditionFailed):
        services.customers.set_automatic_upgrade(
            cid, enabled=False, by=world.msp, expected_version=2
        )
    outcome = services.customers.set_automatic_upgrade(
        cid, enabled=False, by=world.msp, expected_version=3
    )
    assert outcome.customer.version == 4


def test_an_msp_cannot_be_registered_under_an_unknown_distributor(services: Services) -> None:
    with pytest.raises(ValidationFailed, match="distributor_id"):
        services.partners.register(
            name="Orphan", kind=PartnerKind.MSP, distributor_id=uuid4(), by=ADMIN
        )


def test_a_version_the_customer_never_had_is_not_found(services: Services) -> None:
    world = World(services)
    cid = world.onboarded_customer()
    assert services.queries.get(cid, by=world.msp, version=2).version == 2
    with pytest.raises(NotFound):
        services.queries.get(cid, by=world.msp, version=99)
