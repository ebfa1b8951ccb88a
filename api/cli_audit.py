"""``tenantry audit``: read and check the stored histories (a customer's history, the
export of every event, the one-time signing of a legacy history, the chain's check)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import IO
from uuid import UUID

import click
from pydantic import BaseModel

from api.cli_errors import Instant
from api.cli_services import AUDITOR, open_services


@click.group()
def audit() -> None:
    """Read and check the stored histories (never creates a database)."""


@audit.command("history")
@click.argument("customer_id", type=click.UUID)
@click.option(
    "--as-of",
    type=Instant(),
    default=None,
    help="the customer's state at this instant, e.g. 2026-12-01T09:00:00Z (none: its events)",
)
def history(customer_id: UUID, as_of: datetime | None) -> int:
    """A customer's events, or its state as of an instant."""
    services = open_services(read_only=True)
    try:
        answer: BaseModel
        if as_of is not None:
            answer = services.queries.get(customer_id, by=AUDITOR, as_of=as_of)
        else:
            answer = services.queries.history(customer_id, by=AUDITOR)
    finally:
        services.close()
    click.echo(answer.model_dump_json(indent=2))
    return 0


@audit.command("export")
@click.option(
    "--output",
    type=click.File("w", lazy=True),
    default="-",
    help="the file to write ('-': standard output)",
)
def export(output: IO[str]) -> int:
    """Every stored event as JSON Lines, in recorded order."""
    services = open_services(read_only=True)
    try:
        for line in services.audit.export_lines(services.store.mapper):
            output.write(json.dumps(line) + "\n")
        output.flush()
    finally:
        services.close()
    return 0


@audit.command("sign-legacy")
def sign_legacy() -> int:
    """Sign, once, a history written before events carried a MAC (after an upgrade).

    It trusts the database as it is now: run it only on a database you know no one has
    altered since the earlier version wrote it. A history with any signed event is
    never signed again."""
    services = open_services(read_only=True, sign_unsigned=True)
    try:
        signed = services.store.signed_unsigned
    finally:
        services.close()
    click.echo(f"signed {signed} events and snapshots written before events carried a MAC")
    return 0


@audit.command("verify")
def verify() -> int:
    """Exit 1 if a stored event was altered, removed or reordered."""
    services = open_services(read_only=True)
    try:
        services.audit.seal()  # cover events recorded since the background work last sealed
        findings = services.audit.verify()
        recorded = services.audit.recorded()
    finally:
        services.close()
    for finding in findings:
        click.echo(f"position {finding.position}: {finding.problem}", err=True)
    if findings:
        return 1
    head = max(recorded, default=0)
    # Keep the head outside the database: a truncated tail verifies, but not against it.
    click.echo(f"ok: {len(recorded)} events, chain intact, head {head}:{recorded.get(head, '-')}")
    return 0
