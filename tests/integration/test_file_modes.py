"""Files that hold secrets or personal data are readable by their owner only, from the
moment they exist: the secret key, the SQLite database (and its -wal and -shm), and
the outbox's .eml files with their activation links."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.smtp import OutboxTransport
from api.bootstrap import build, link_secret
from api.settings import Settings
from application.clock import SystemClock
from application.mail import Email
from domain.values import PartnerKind
from tests.support.cli import sqlite_file_url
from tests.support.principals import ADMIN
from tests.support.settings import settings_for


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    """The worst case: nothing is taken away from what a file is created with."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


class Killed(Exception):
    """The process dies here."""


def test_the_secret_key_is_never_readable_by_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def killed(*_: object, **__: object) -> None:
        raise Killed  # before a file written with a wider mode could be restricted

    monkeypatch.setattr(Path, "chmod", killed)
    monkeypatch.setattr(os, "chmod", killed)
    monkeypatch.chdir(tmp_path)  # where the secret went before it had a home
    settings = Settings(home=tmp_path)

    with contextlib.suppress(Killed):
        link_secret(settings)

    written = list((tmp_path / "var").iterdir())
    assert written == [settings.secret_key_file]
    assert mode(settings.secret_key_file) == 0o600
    assert settings.secret_key_file == tmp_path / "var" / "secret.key"
    assert len(link_secret(settings)) >= 32


def test_the_sqlite_database_and_its_journal_are_private(tmp_path: Path) -> None:
    settings = settings_for(sqlite_file_url(tmp_path))
    services = build(settings, SystemClock())
    try:
        services.partners.register(name="MSP", kind=PartnerKind.MSP, by=ADMIN)

        files = {p.name: mode(p) for p in tmp_path.glob("tenantry.db*")}
    finally:
        services.close()

    assert {"tenantry.db", "tenantry.db-wal", "tenantry.db-shm"} <= set(files)
    assert files == dict.fromkeys(files, 0o600)


def test_an_email_in_the_outbox_is_private(tmp_path: Path) -> None:
    outbox = OutboxTransport(tmp_path / "outbox", "Tenantry <no-reply@tenantry.invalid>")
    email = Email(
        to="a@b.example",
        subject="Activate",
        text="https://tenantry.example/activate/secret-token",
        html="<a href='https://tenantry.example/activate/secret-token'>activate</a>",
        message_id="<m1@tenantry.invalid>",
        sent_at=datetime(2026, 12, 1, tzinfo=UTC),
    )

    outbox.send(email)

    [sent] = (tmp_path / "outbox").glob("*.eml")
    assert mode(sent) == 0o600
