"""The command line: audit export and verify, and `tenantry worker` as its own process."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from application.clock import SystemClock
from tests.support.cli import TENANTRY, add_customers, environment, sqlite_file_url, tenantry
from tests.support.tampering import Tampering
from tests.support.world import open_services


def test_export_writes_every_event_as_a_json_line(tmp_path: Path) -> None:
    add_customers(tmp_path, 3)
    result = tenantry(tmp_path, "audit", "export", "--output", str(tmp_path / "events.jsonl"))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()]
    assert [line["type"] for line in lines] == ["Registered", "ApiKeyIssued"] + ["Created"] * 3
    assert [line["position"] for line in lines] == sorted(line["position"] for line in lines)
    assert all(len(line["chain_hash"]) == 64 for line in lines)


def test_verify_passes_on_an_untouched_store(tmp_path: Path) -> None:
    add_customers(tmp_path, 3)
    result = tenantry(tmp_path, "audit", "verify")
    assert result.returncode == 0, result.stderr
    assert "chain intact" in result.stdout


ALTER = (
    "UPDATE stored_events SET state = "
    "CAST(replace(CAST(state AS TEXT), 'Customer 1', 'Customer X') AS BLOB) WHERE rowid = 4"
)
REMOVE = "DELETE FROM stored_events WHERE rowid = 5"
INSERT = (  # a forged trial extension for the first customer, its state as the mapper writes it
    "INSERT INTO stored_events (originator_id, originator_version, topic, state) "
    "SELECT originator_id, 2, 'Customer.TrialExtended', CAST('{\"timestamp\":"
    '"2026-01-05T09:00:00Z","recorded_at":"2026-01-05T09:00:00Z","actor":'
    '{"kind":"admin","id":"admin"},"previous_trial_ends_at":'
    '"2026-02-04T09:00:00Z","trial_ends_at":"2027-01-05T09:00:00Z"}\' AS BLOB) '
    "FROM stored_events WHERE rowid = 3"
)


@pytest.mark.parametrize(
    ("tampering", "problem"), [(ALTER, "altered"), (REMOVE, "removed"), (INSERT, "inserted")]
)
def test_verify_fails_when_a_stored_event_was_tampered_with(
    tmp_path: Path, tampering: str, problem: str
) -> None:
    add_customers(tmp_path, 3)
    assert tenantry(tmp_path, "audit", "verify").returncode == 0  # the chain is recorded
    with sqlite3.connect(tmp_path / "tenantry.db") as conn:
        conn.execute(tampering)

    result = tenantry(tmp_path, "audit", "verify")

    assert result.returncode == 1
    assert problem in result.stderr


def test_the_worker_process_sends_what_is_due_and_stops_on_sigterm(tmp_path: Path) -> None:
    add_customers(tmp_path, 2)
    worker = subprocess.Popen(
        [str(TENANTRY), "worker"],
        env=environment(tmp_path),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        give_up = time.monotonic() + 30
        while time.monotonic() < give_up and len(list((tmp_path / "outbox").glob("*.eml"))) < 2:
            time.sleep(0.1)
        assert len(list((tmp_path / "outbox").glob("*.eml"))) == 2
    finally:
        worker.terminate()
        assert worker.wait(timeout=20) == 0


def test_a_rebuild_sends_no_email(tmp_path: Path) -> None:
    add_customers(tmp_path, 2)
    services = open_services(
        sqlite_file_url(tmp_path), SystemClock(), outbox_dir=tmp_path / "outbox"
    )
    try:
        assert services.settle(30)
        sent = sorted((tmp_path / "outbox").glob("*.eml"))
        assert len(sent) == 2
        services.views.rebuild()
        assert services.settle(30)
        assert sorted((tmp_path / "outbox").glob("*.eml")) == sent
        assert services.manager.emails_sent == 2
    finally:
        services.close()


def test_sign_legacy_signs_a_history_from_before_macs_once(tmp_path: Path) -> None:
    # Given a database as the version before MACs wrote it
    add_customers(tmp_path, 2)
    Tampering(sqlite_file_url(tmp_path)).strip_macs()
    assert tenantry(tmp_path, "audit", "verify").returncode == 1  # a start signs nothing
    # When the operator signs it
    signed = tenantry(tmp_path, "audit", "sign-legacy")
    # Then its events verify, and a second run has nothing left to sign
    assert signed.returncode == 0, signed.stderr
    assert signed.stdout.startswith("signed 4 events")
    verified = tenantry(tmp_path, "audit", "verify")
    assert verified.returncode == 0, verified.stderr
    assert tenantry(tmp_path, "audit", "sign-legacy").stdout.startswith("signed 0 events")
