"""Processes started together on a new database (serve --workers N, serve beside worker)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from adapters.kept_secrets import ADMIN_TOKEN_FILE, kept_secret
from api.bootstrap import build, link_secret
from api.settings import Settings
from tests.support.clocks import a_clock
from tests.support.settings import settings_for


def all_at_once(
    count: int, start: Callable[[], object]
) -> tuple[list[object], list[BaseException]]:
    results: list[object] = []
    failures: list[BaseException] = []
    go = threading.Barrier(count)

    def run() -> None:
        go.wait()
        try:
            results.append(start())
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results, failures


@pytest.mark.postgres
def test_six_starting_together_on_a_new_database_all_start(postgres_url: str) -> None:
    settings = settings_for(postgres_url, test_clock=True)

    def start() -> None:
        build(settings, a_clock()).close()

    _, failures = all_at_once(6, start)
    assert failures == []


def test_processes_without_a_configured_secret_agree_on_one(
    tmp_path: Path,
) -> None:
    secrets, failures = all_at_once(8, lambda: link_secret(Settings()))
    assert failures == []
    assert len(set(secrets)) == 1
    (secret,) = set(secrets)
    assert isinstance(secret, bytes)
    assert len(secret) >= 32
    assert os.stat(tmp_path / "var" / "secret.key").st_mode & 0o777 == 0o600
    assert [p.name for p in (tmp_path / "var").iterdir()] == ["secret.key"]


def test_processes_without_a_configured_admin_token_agree_on_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = tmp_path / "var" / ADMIN_TOKEN_FILE
    tokens, failures = all_at_once(8, lambda: kept_secret(kept, "TENANTRY_ADMIN_TOKEN"))
    assert failures == []
    assert len(set(tokens)) == 1
    assert os.stat(tmp_path / "var" / "admin.token").st_mode & 0o777 == 0o600
    assert [p.name for p in (tmp_path / "var").iterdir()] == ["admin.token"]
