"""Given a database written by main at ded54a2 (before the storage modules moved into
adapters/), when today's code serves it, then the histories, the views and the audit
verification are the same as main's.

The files are tests/fixtures/stored_before_adapters (its make.py says how they were
made). Today's code runs only as the ``tenantry`` command (``serve``, ``audit``,
``projections``) over HTTP: nothing here imports the modules that move.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.stored_before_adapters import make
from tests.support.backends import BOTH_DATABASES

FIXTURE = Path(make.__file__).parent
EXPECTED: dict[str, Any] = json.loads((FIXTURE / "expected.json").read_text())
# The fixed settings the story was told with; every process reading it uses them too.
SETTINGS = {
    "TENANTRY_ADMIN_TOKEN": "admin-token-stored-before-adapters",
    "TENANTRY_SECRET_KEY": "secret-key-stored-before-adapters-0123456789",
    "TENANTRY_AUDIT_KEY": "audit-key-stored-before-adapters-0123456789",
    "TENANTRY_TEST_CLOCK": "1",
    "TENANTRY_SNAPSHOT_INTERVAL": "4",
}


@pytest.fixture(params=BOTH_DATABASES)
def stored(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """The backend, and the URL of a database holding what main wrote on it."""
    if request.param == "sqlite":
        shutil.copyfile(FIXTURE / "tenantry.db", tmp_path / "tenantry.db")
        return "sqlite", f"sqlite:///{tmp_path / 'tenantry.db'}"
    url = str(request.getfixturevalue("postgres_url"))  # fresh, dropped afterwards
    make.restore(FIXTURE / "postgres.sql", url)
    return "postgres", url


def test_the_fixed_settings_are_the_ones_the_fixture_was_written_with() -> None:
    assert EXPECTED["settings"] == {**SETTINGS, "public_url": make.PUBLIC_URL}
    assert make.SETTINGS == SETTINGS


def test_todays_code_reads_what_main_wrote_the_same(
    stored: tuple[str, str], tmp_path: Path
) -> None:
    backend, url = stored
    expected = EXPECTED[backend]

    # Nothing is ignored: every answer is compared whole (bodies, ETags, statuses). None
    # depends on the wall clock: the test clock is kept in the database (its time is the
    # story's last instant), and activation links are built on the fixed public URL.
    answers = make.read_back(tmp_path / "served", url, expected["story"])

    assert answers["audit"]["verify"]["exit"] == 0, answers["audit"]["verify"]
    assert_same(answers, expected["answers"])
    assert answers["replayed"]["replayed"] == "true"
    assert answers["replayed"]["body"] == expected["story"]["last_create"]["body"]


def test_the_views_rebuilt_by_todays_code_are_the_ones_main_kept(
    stored: tuple[str, str], tmp_path: Path
) -> None:
    backend, url = stored
    expected = EXPECTED[backend]
    home = tmp_path / "rebuilt"
    home.mkdir()

    rebuilt = make.tenantry(home, url, "projections", "rebuild")

    assert rebuilt.returncode == 0, rebuilt.stderr
    with make.serving(home, url) as served:
        answers = make.read(served, expected["story"])
    assert_same(answers["lists"], expected["answers"]["lists"])


def assert_same(actual: dict[str, Any], expected: dict[str, Any], where: str = "") -> None:
    """Equal, or fail naming the first part that differs (the whole is long)."""
    assert actual.keys() == expected.keys(), where
    for key, value in expected.items():
        if isinstance(value, dict) and isinstance(actual[key], dict):
            assert_same(actual[key], value, f"{where}/{key}")
        else:
            assert actual[key] == value, f"{where}/{key}"
