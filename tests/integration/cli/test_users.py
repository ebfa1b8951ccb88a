"""``tenantry users invite``: a user of a partner, a sign-in link in the outbox and,
without an SMTP server, on the command's output."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import tenantry
from tests.support.outbox import last_sign_in_link


def a_partner(home: Path) -> str:
    added = tenantry(home, "partners", "add", "--name", "Northwind", "--kind", "msp")
    assert added.returncode == 0, added.stderr
    return str(json.loads(added.stdout)["id"])


def test_given_no_smtp_server_when_a_user_is_invited_then_the_link_is_printed_and_in_the_outbox(
    tmp_path: Path,
) -> None:
    partner_id = a_partner(tmp_path)

    invited = tenantry(
        tmp_path,
        *("users", "invite", "--partner", partner_id, "--email", "ada@msp.example"),
        *("--name", "Ada Lovelace", "--role", "admin"),
    )

    assert invited.returncode == 0, invited.stderr
    shown = json.loads(invited.stdout)
    assert shown["partner_id"] == partner_id
    assert (shown["email"], shown["name"], shown["role"]) == (
        "ada@msp.example",
        "Ada Lovelace",
        "admin",
    )
    assert shown["status"] == "invited"
    assert shown["sign_in_url"].startswith("http://127.0.0.1:8000/console/sign-in/link/")
    assert last_sign_in_link(tmp_path / "outbox", "ada@msp.example") == shown["sign_in_url"]


def test_given_a_user_when_their_address_is_invited_again_then_the_command_fails_in_one_line(
    tmp_path: Path,
) -> None:
    partner_id = a_partner(tmp_path)
    invite = ("users", "invite", "--partner", partner_id, "--email", "ada@msp.example")
    assert tenantry(tmp_path, *invite).returncode == 0

    again = tenantry(tmp_path, *invite)

    assert again.returncode != 0
    assert "email: is already the address of a user" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1


def test_given_no_such_partner_when_a_user_is_invited_then_it_says_so(tmp_path: Path) -> None:
    a_partner(tmp_path)  # the database exists
    missing = "3f1d5c5e-8e3b-4e0e-9a43-1f5b1b9b1b1b"

    refused = tenantry(tmp_path, "users", "invite", "--partner", missing, "--email", "a@b.example")

    assert refused.returncode != 0
    assert f"no partner {missing}" in refused.stderr
