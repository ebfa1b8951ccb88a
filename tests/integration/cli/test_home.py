"""One home for every relative path (TENANTRY_HOME), and commands that only read never
create a database: a missing one is an error, not ``ok: 0 events``."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest

from api.settings import CHECKOUT, Settings, default_home
from tests.support.cli import add_customers, environment, tenantry

READ_ONLY = [
    ["audit", "verify"],
    ["audit", "export"],
    ["audit", "history", "3f1d5c5e-8e3b-4e0e-9a43-1f5b1b9b1b1b"],
    ["projections", "rebuild"],
]


def test_relative_paths_resolve_against_the_home(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, database_url="sqlite:///data/t.db")

    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 't.db'}"
    assert settings.secret_key_file == tmp_path / "var" / "secret.key"
    assert settings.outbox_dir == tmp_path / "var" / "outbox"
    assert settings.var_dir == tmp_path / "var"
    assert Settings(home=tmp_path).database_url == f"sqlite:///{tmp_path / 'var' / 'tenantry.db'}"


def test_absolute_paths_and_other_databases_stay_as_they_are(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    settings = Settings(
        home=tmp_path / "home", database_url=f"sqlite:///{elsewhere}/t.db", outbox_dir=elsewhere
    )
    assert settings.database_url == f"sqlite:///{elsewhere}/t.db"
    assert settings.outbox_dir == elsewhere
    assert Settings(database_url="postgresql://u@h/db").database_url == "postgresql://u@h/db"
    assert Settings(database_url="memory://").database_url == "memory://"


def test_the_default_home_is_the_checkout_the_code_runs_from(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("TENANTRY_HOME")
    monkeypatch.chdir(tmp_path)

    assert default_home() == CHECKOUT
    assert (CHECKOUT / "pyproject.toml").is_file()
    assert Settings().home == CHECKOUT


@pytest.mark.parametrize("command", READ_ONLY, ids=" ".join)
def test_a_command_that_only_reads_refuses_a_missing_database(
    tmp_path: Path, command: list[str]
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = environment(home)
    del env["TENANTRY_DATABASE_URL"]  # the default, under the home

    done = tenantry(home, *command, env=env)

    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"Error: no database at {home / 'var' / 'tenantry.db'} (TENANTRY_HOME is {home}): "
        "run the command where the service keeps its data, or set TENANTRY_HOME or "
        "TENANTRY_DATABASE_URL"
    )
    assert list(home.iterdir()) == []  # nothing created


def test_a_command_that_only_reads_refuses_a_file_without_events(tmp_path: Path) -> None:
    sqlite3.connect(tmp_path / "tenantry.db").close()

    done = tenantry(tmp_path, "audit", "verify")

    assert done.returncode == 1
    assert "holds no events (no stored_events table)" in done.stderr


@pytest.mark.postgres
def test_a_command_that_only_reads_refuses_a_postgres_database_without_events(
    tmp_path: Path, postgres_url: str
) -> None:
    done = tenantry(
        tmp_path, "audit", "verify", env=environment(tmp_path, TENANTRY_DATABASE_URL=postgres_url)
    )

    assert done.returncode == 1
    assert "holds no events (no tenantry_events table)" in done.stderr
    with psycopg.connect(postgres_url) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone()
    assert tables == (0,)


def test_the_commands_find_the_home_database_from_any_directory(tmp_path: Path) -> None:
    home = tmp_path / "home"
    add_customers(home, 2, database_url=f"sqlite:///{home / 'var' / 'tenantry.db'}")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = environment(home)
    del env["TENANTRY_DATABASE_URL"]

    done = tenantry(home, "audit", "verify", env=env, cwd=elsewhere)

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok: 4 events, chain intact, head 4:")
    assert list(elsewhere.iterdir()) == []


@pytest.mark.postgres
@pytest.mark.parametrize("command", READ_ONLY[:2] + READ_ONLY[3:], ids=" ".join)
def test_a_command_that_only_reads_uses_an_existing_postgres_database(
    tmp_path: Path, postgres_url: str, command: list[str]
) -> None:
    add_customers(tmp_path, 1, database_url=postgres_url)

    done = tenantry(
        tmp_path, *command, env=environment(tmp_path, TENANTRY_DATABASE_URL=postgres_url)
    )

    assert done.returncode == 0, done.stderr


def test_a_command_that_writes_says_where_it_creates_a_database(tmp_path: Path) -> None:
    env = environment(tmp_path)
    del env["TENANTRY_DATABASE_URL"]

    first = tenantry(tmp_path, "partners", "add", "--name", "N", "--kind", "msp", env=env)
    second = tenantry(tmp_path, "partners", "add", "--name", "M", "--kind", "msp", env=env)

    assert first.returncode == second.returncode == 0
    where = tmp_path / "var" / "tenantry.db"
    assert first.stderr == f"tenantry: a new database at {where} (TENANTRY_HOME is {tmp_path})\n"
    assert second.stderr == ""
