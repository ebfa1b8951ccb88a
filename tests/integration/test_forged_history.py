"""History cannot be forged by whoever can write the database but lacks the key.

Each attack is direct SQL on a real SQLite file and a real PostgreSQL database;
`verify` must name the position, the API must not serve the forged state, and the
seal must not take a forged event in.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from adapters.audit_chain import Finding
from api.app import create_app
from api.bootstrap import Services, build
from application.errors import TamperedHistory
from domain.customer_events import TrialExtended
from domain.values import Policy
from tests.support.backends import on_both_databases
from tests.support.clocks import START, a_clock
from tests.support.principals import ADMIN, ADMIN_TOKEN, SECRET_KEY, an_msp, bearer
from tests.support.settings import settings_for
from tests.support.tampering import Tampering
from tests.support.world import an_msp_with_customers

# Positions: 1 Registered, 2 ApiKeyIssued, 3..5 the customers' Created events.
FIRST_CUSTOMER, SECOND_CUSTOMER, THIRD_CUSTOMER = 3, 4, 5

pytestmark = on_both_databases


def open_services(
    backend_url: str, tmp_path: Path, secret: str = SECRET_KEY, *, sign_unsigned: bool = False
) -> Services:
    settings = settings_for(backend_url, secret_key=secret, outbox_dir=tmp_path / "outbox")
    return build(settings, a_clock(), sign_unsigned=sign_unsigned)


@pytest.fixture
def services(backend_url: str, tmp_path: Path) -> Iterator[Services]:
    """Three customers of one MSP, their events sealed."""
    services = open_services(backend_url, tmp_path)
    an_msp_with_customers(services, 3)
    assert services.audit.seal() == 5
    try:
        yield services
    finally:
        services.close()


def customer_at(tampering: Tampering, position: int) -> UUID:
    [(originator,)] = tampering.rows(
        "SELECT originator_id FROM {events} WHERE {position} = %s", position
    )
    return UUID(str(originator))


def problems(findings: list[Finding]) -> dict[int, str]:
    return {f.position: f.problem for f in findings}


def test_with_the_right_key_and_no_tampering_verify_finds_nothing(services: Services) -> None:
    assert services.audit.verify() == []


def test_an_altered_event_is_named_even_with_the_chain_recomputed(
    services: Services, backend_url: str
) -> None:
    # Given someone rewrote a customer's name and then recomputed the seal from there on
    tampering = Tampering(backend_url)
    tampering.alter(SECOND_CUSTOMER, b"Customer 1", b"Customer X")
    tampering.reseal(after=SECOND_CUSTOMER - 1)

    # When the audit is verified
    found = problems(services.audit.verify())

    # Then the altered event is named for what it is, and the rewritten seal too
    assert found[SECOND_CUSTOMER].startswith("altered: MAC does not match")
    assert found[THIRD_CUSTOMER].startswith("reordered")
    assert set(found) == {SECOND_CUSTOMER, THIRD_CUSTOMER}
    # And the altered customer is not served
    with pytest.raises(TamperedHistory):
        services.queries.get(customer_at(tampering, SECOND_CUSTOMER), by=ADMIN)


def forged_extension(customer_id: UUID) -> TrialExtended:
    later = START + timedelta(days=365)
    return TrialExtended(
        originator_id=customer_id,
        originator_version=2,
        timestamp=START,
        recorded_at=START,
        actor=ADMIN,
        previous_trial_ends_at=START + timedelta(days=30),
        trial_ends_at=later,
        policy=Policy(),
    )


def test_an_inserted_trial_extension_is_named_not_sealed_and_not_served(
    services: Services, backend_url: str
) -> None:
    # Given a forged TrialExtended inserted after the last seal (and the views current)
    assert services.views.follower.catch_up(30)
    tampering = Tampering(backend_url)
    customer_id = customer_at(tampering, FIRST_CUSTOMER)
    position = tampering.insert(forged_extension(customer_id))

    # When the background work seals, and the audit is verified
    sealed = services.audit.seal()
    found = problems(services.audit.verify())

    # Then the seal did not take it in, and verify names it
    assert sealed == 0
    assert services.audit.refused == position
    assert found == {position: found[position]}
    assert found[position].startswith("altered or inserted after the last seal: no MAC")
    # And the due work of the other customers goes on
    report = services.manager.sweep()
    assert (report.failed, report.emails_sent) == (1, 2)
    # And the API refuses to serve the customer, with a problem and a metric, not a 500
    with TestClient(create_app(services), raise_server_exceptions=False) as client:
        answer = client.get(f"/v1/customers/{customer_id}", headers=bearer(ADMIN_TOKEN))
        assert answer.status_code == 503
        assert answer.json()["type"].endswith("/integrity")
        metrics = client.get("/metrics").text
    assert "tenantry_integrity_failures" in metrics
    assert services.macs.failures >= 1


def test_a_removed_event_is_named(services: Services, backend_url: str) -> None:
    Tampering(backend_url).delete(SECOND_CUSTOMER)

    found = problems(services.audit.verify())

    assert list(found) == [SECOND_CUSTOMER]
    assert found[SECOND_CUSTOMER].startswith("removed")


def test_two_swapped_events_are_named(services: Services, backend_url: str) -> None:
    Tampering(backend_url).swap(SECOND_CUSTOMER, THIRD_CUSTOMER)

    found = problems(services.audit.verify())

    assert list(found) == [SECOND_CUSTOMER, THIRD_CUSTOMER]
    assert all(problem.startswith("reordered") for problem in found.values())


def test_an_event_replaced_inside_the_sealed_range_is_named(
    services: Services, backend_url: str
) -> None:
    # Given a sealed event removed, and a forged one stored at its position
    tampering = Tampering(backend_url)
    customer_id = customer_at(tampering, FIRST_CUSTOMER)
    tampering.delete(SECOND_CUSTOMER)
    tampering.insert(forged_extension(customer_id), position=SECOND_CUSTOMER)

    found = problems(services.audit.verify())

    assert list(found) == [SECOND_CUSTOMER]
    assert found[SECOND_CUSTOMER].startswith("altered: no MAC")


def test_a_different_key_makes_every_event_fail(
    backend_url: str, services: Services, tmp_path: Path
) -> None:
    services.close()
    other = open_services(backend_url, tmp_path, secret="another secret key, 32 characters")
    try:
        found = other.audit.verify()
    finally:
        other.close()
    assert [f.position for f in found] == [1, 2, 3, 4, 5]


def test_a_start_never_signs_a_history_whose_macs_were_stripped(
    backend_url: str, services: Services, tmp_path: Path
) -> None:
    # Given a signed history from which someone stripped every MAC (and so could forge)
    tampering = Tampering(backend_url)
    customer_id = customer_at(tampering, FIRST_CUSTOMER)
    services.close()
    tampering.strip_macs()
    # When the service starts on it
    restarted = open_services(backend_url, tmp_path)
    try:
        # Then nothing was signed: reads are refused and verify names every event
        with pytest.raises(TamperedHistory):
            restarted.queries.get(customer_id, by=ADMIN)
        assert [f.position for f in restarted.audit.verify()] == [1, 2, 3, 4, 5]
    finally:
        restarted.close()


def test_a_database_from_before_macs_is_signed_once_by_the_operator(
    backend_url: str, services: Services, tmp_path: Path
) -> None:
    # Given a database as the previous version wrote it: no MACs, no seal
    tampering = Tampering(backend_url)
    customer_id = customer_at(tampering, FIRST_CUSTOMER)
    services.close()
    tampering.strip_macs()

    # When the operator signs it (tenantry audit sign-legacy), then the service starts
    open_services(backend_url, tmp_path, sign_unsigned=True).close()
    upgraded = open_services(backend_url, tmp_path)
    try:
        # Then it reads the old events, and the audit seals and verifies them
        assert upgraded.queries.get(customer_id, by=ADMIN).organization_name == "Customer 0"
        assert upgraded.audit.seal() == 5
        assert upgraded.audit.verify() == []
    finally:
        upgraded.close()


def test_an_unsigned_event_after_signed_ones_is_not_signed_at_start(
    backend_url: str, services: Services, tmp_path: Path
) -> None:
    # Given a forged unsigned event inserted into a signed history
    tampering = Tampering(backend_url)
    position = tampering.insert(forged_extension(customer_at(tampering, FIRST_CUSTOMER)))
    services.close()

    # When the service starts again
    restarted = open_services(backend_url, tmp_path)
    try:
        # Then the forged event is still named, not signed as if it were old history
        assert list(problems(restarted.audit.verify())) == [position]
    finally:
        restarted.close()


def test_an_altered_snapshot_is_not_served(backend_url: str, tmp_path: Path) -> None:
    # Given a customer with a snapshot (every 2 events), whose stored state was altered
    settings = settings_for(backend_url, outbox_dir=tmp_path / "outbox", snapshot_interval=2)
    services = build(settings, a_clock())
    try:
        partner_id, msp = an_msp(services)
        customer = services.customers.add(
            partner_id=partner_id,
            organization_name="Contoso",
            notification_email="it@contoso.example",
            sku="ESSENTIALS_MSP_2025",
            addons=[],
            by=msp,
        )
        customer_id = customer.aggregate.id
        services.customers.change_subscription(customer_id, addons=["AUDIT"], by=msp)
        Tampering(backend_url).alter_snapshots(b"Contoso", b"Forged")

        # When it is read, Then it is refused
        with pytest.raises(TamperedHistory):
            services.queries.get(customer_id, by=ADMIN)
    finally:
        services.close()
