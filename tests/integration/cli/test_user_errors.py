"""Ordinary mistakes on the command line get one line saying what is wrong and how to
fix it, exit 2 (the command line is wrong) or 1 (it failed), and no traceback unless
``--debug`` or ``TENANTRY_DEBUG=1`` asks for it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import click
import pytest

from api.cli import cli, main
from tests.support.cli import TENANTRY, add_customers, environment, tenantry

UNKNOWN = "3f1d5c5e-8e3b-4e0e-9a43-1f5b1b9b1b1b"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database with a partner and a customer, which the commands use."""
    for name, value in environment(tmp_path).items():
        if name.startswith("TENANTRY_"):
            monkeypatch.setenv(name, value)
    add_customers(tmp_path, 1)
    return tmp_path


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["partners", "add", "--name", "", "--kind", "msp"], 2, "--name: must be 1 to 200"),
        (
            ["partners", "add", "--name", "N", "--kind", "msp", "--distributor", UNKNOWN],
            2,
            f"--distributor: no partner {UNKNOWN}",
        ),
        (["partners", "add", "--name", "N", "--kind", "reseller"], 2, "'--kind'"),
        (
            ["partners", "add", "--name", "N", "--kind", "msp", "--distributor", "x"],
            2,
            "not a valid UUID",
        ),
        (["audit", "history", UNKNOWN], 1, f"no customer {UNKNOWN}"),
        (
            ["audit", "history", UNKNOWN, "--as-of", "2026-12-01"],
            2,
            "'2026-12-01' has no time zone: add one, e.g. 2026-12-01T00:00:00Z",
        ),
        (["audit", "history", UNKNOWN, "--as-of", "soon"], 2, "not an instant"),
        (["audit", "history", "nobody"], 2, "not a valid UUID"),
        (["projections", "rebuild", "invoices"], 2, "no projection named 'invoices'"),
        (["partners", "remove"], 2, "No such command 'remove'"),
    ],
)
def test_a_mistake_gets_one_line_and_an_exit_code(
    home: Path, capsys: pytest.CaptureFixture[str], args: list[str], code: int, says: str
) -> None:
    exit_code, out, err = run(capsys, *args)

    assert exit_code == code
    assert says in one_line(err)
    assert "Error:" in err
    assert out == ""


@pytest.mark.parametrize(
    ("url", "says"),
    [
        (
            "postgresql://ann:hunter2@127.0.0.1:1/tenantry",
            "postgresql://ann:***@127.0.0.1:1/tenantry",
        ),
        ("postgresql://ann:hunter2@127.0.0.1:port/tenantry", "is malformed"),
        ("mysql://ann:hunter2@127.0.0.1/tenantry", "unsupported TENANTRY_DATABASE_URL scheme"),
    ],
    ids=["unreachable", "bad port", "unknown scheme"],
)
@pytest.mark.parametrize(
    "command", [["audit", "verify"], ["partners", "add", "--name", "N", "--kind", "msp"]]
)
def test_a_database_url_that_cannot_be_used_gets_one_line_without_its_password(
    home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    says: str,
    command: list[str],
) -> None:
    monkeypatch.setenv("TENANTRY_DATABASE_URL", url)

    exit_code, _, err = run(capsys, *command)

    assert exit_code == 1
    line = one_line(err)
    assert says in line
    assert "hunter2" not in err


def test_a_malformed_setting_names_its_variable(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TENANTRY_SMTP_PORT", "twenty-five")

    exit_code, _, err = run(capsys, "audit", "verify")

    assert exit_code == 1
    assert one_line(err).startswith("Error: TENANTRY_SMTP_PORT: Input should be a valid integer")


@pytest.mark.parametrize("ask", ["option", "environment"])
def test_debug_shows_the_traceback(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, ask: str
) -> None:
    if ask == "environment":
        monkeypatch.setenv("TENANTRY_DEBUG", "1")
    args = ["--debug"] if ask == "option" else []

    exit_code, _, err = run(capsys, *args, "audit", "history", UNKNOWN)

    assert exit_code == 1
    assert "Traceback" in err
    assert err.rstrip().splitlines()[-1] == f"Error: no customer {UNKNOWN}"


def test_a_reader_that_stops_early_ends_the_export_quietly(tmp_path: Path) -> None:
    add_customers(tmp_path, 3)
    read, write = os.pipe()
    os.close(read)  # like `| head` having read enough: every write meets a closed pipe
    try:
        done = subprocess.run(
            [str(TENANTRY), "audit", "export"],
            env=environment(tmp_path),
            cwd=tmp_path,
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write)

    assert done.stderr == ""
    assert done.returncode == 141  # as if killed by SIGPIPE, like other tools in a pipeline


def test_export_piped_into_head_prints_no_error(tmp_path: Path) -> None:
    add_customers(tmp_path, 3)
    command = f"'{TENANTRY}' audit export | head -n 1"
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        env=environment(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stderr == ""
    assert done.returncode in (0, 141)
    assert done.stdout.count("\n") == 1


def test_the_installed_command_reports_a_mistake_in_one_line(tmp_path: Path) -> None:
    done = tenantry(tmp_path, "audit", "history", UNKNOWN, "--as-of", "2026-12-01")

    assert done.returncode == 2
    assert "has no time zone" in one_line(done.stderr)


def test_the_shell_completes_commands(tmp_path: Path) -> None:
    env = environment(tmp_path, COMP_WORDS="tenantry au", COMP_CWORD="1")
    env["_TENANTRY_COMPLETE"] = "bash_complete"

    done = tenantry(tmp_path, env=env)

    assert done.returncode == 0
    assert done.stdout.split() == ["plain,audit"]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    exit_code, out, _ = run(capsys, "--version")

    assert exit_code == 0
    assert out.startswith("tenantry, version ")


def commands(group: click.Group, path: str = "tenantry") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in group.commands.items():
        found.append((f"{path} {name}", command))
        if isinstance(command, click.Group):
            found.extend(commands(command, f"{path} {name}"))
    return found


@pytest.mark.parametrize(("path", "command"), commands(cli), ids=str)
def test_every_command_and_option_is_explained_with_its_default(
    capsys: pytest.CaptureFixture[str], path: str, command: click.Command
) -> None:
    assert command.help or command.short_help, path
    for option in command.params:
        if isinstance(option, click.Option):
            assert option.help, f"{path} {option.opts}"

    exit_code, out, _ = run(capsys, *path.split()[1:], "--help")

    assert exit_code == 0
    for option in command.params:
        shown = isinstance(option, click.Option) and not (option.is_flag or option.required)
        if shown and option.default is not None:
            assert f"default: {option.default}" in " ".join(out.split()), option.opts
