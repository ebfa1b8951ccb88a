"""The tenantry command line: serve the API, run the background work, register
partners, invite their users, read and check histories, rebuild views.

Paths are relative to TENANTRY_HOME (see the README); errors are one line (exit 2: the
command line is wrong, 1: it failed); --debug or TENANTRY_DEBUG=1 shows the traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import IO, Any
from uuid import UUID

import click
from pydantic import BaseModel

from adapters.database_check import check_database, missing_sqlite_file
from api import cli_projections, cli_serve
from api.bootstrap import Services, build
from api.cli_errors import (
    BROKEN_PIPE,
    DEBUG_ENV,
    Instant,
    debugging,
    fail,
    report,
    silence_stdout,
    usage,
)
from api.settings import Settings
from domain.values import Actor, ActorKind, PartnerKind, PartnerStatus, UserRole

OPERATOR = Actor(kind=ActorKind.ADMIN, id="cli")
AUDITOR = Actor(kind=ActorKind.AUDITOR, id="cli")
CONTEXT = {"help_option_names": ["-h", "--help"], "show_default": True, "max_content_width": 100}
INTERRUPTED = 130


class Tenantry(click.Group):
    """Turns an error raised by a command into one line and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:
            silence_stdout()
            raise click.exceptions.Exit(BROKEN_PIPE) from None
        except Exception as error:
            debug = bool(ctx.params.get("debug")) or debugging()
            raise click.exceptions.Exit(fail(error, debug=debug)) from None


def open_services(*, read_only: bool, sign_unsigned: bool = False) -> Services:
    """The services over the configured database. ``read_only``: the command only
    reads, so a missing database is an error instead of a new empty one."""
    settings = Settings()
    check_database(settings, must_exist=read_only)
    new = missing_sqlite_file(settings)
    if new is not None:
        click.echo(
            f"tenantry: a new database at {new} (TENANTRY_HOME is {settings.home})", err=True
        )
    return build(settings, sign_unsigned=sign_unsigned)


@click.group(cls=Tenantry, context_settings=CONTEXT, help=__doc__)
@click.option(
    "--debug", is_flag=True, envvar=DEBUG_ENV, help=f"show tracebacks (also {DEBUG_ENV}=1)"
)
@click.version_option(package_name="tenantry", prog_name="tenantry")
def cli(debug: bool) -> None:
    del debug  # read by Tenantry.invoke


cli.add_command(cli_serve.serve)
cli.add_command(cli_serve.worker)
cli.add_command(cli_projections.projections)


@cli.group()
def partners() -> None:
    """Manage partners."""


@partners.command("add")
@click.option("--name", required=True, help="the partner's name (1 to 200 characters)")
@click.option(
    "--kind",
    required=True,
    type=click.Choice([k.value for k in PartnerKind]),
    help="an MSP serves customers; a distributor has MSPs under it",
)
@click.option(
    "--status",
    default=PartnerStatus.TRIAL.value,
    type=click.Choice([s.value for s in PartnerStatus]),
    help="a partner in trial creates only trial customers",
)
@click.option(
    "--distributor",
    type=click.UUID,
    default=None,
    help="id of the distributor an MSP belongs to (none: a direct MSP)",
)
def add_partner(name: str, kind: str, status: str, distributor: UUID | None) -> int:
    """Register a partner and print it as JSON with its first API key (shown once)."""
    services = open_services(read_only=False)
    try:
        partner, api_key = services.partners.register(
            name=name,
            kind=PartnerKind(kind),
            status=PartnerStatus(status),
            distributor_id=distributor,
            by=OPERATOR,
        )
    finally:
        services.close()
    click.echo(json.dumps({**partner.model_dump(mode="json"), "api_key": api_key}, indent=2))
    return 0


@cli.group()
def users() -> None:
    """Manage the people who sign in to the console."""


@users.command("invite")
@click.option("--partner", "partner_id", type=click.UUID, required=True, help="the partner's id")
@click.option("--email", required=True, help="the person's email address (they sign in with it)")
@click.option("--name", default="", help="the person's name, as the history shows it")
@click.option(
    "--role",
    default=UserRole.MEMBER.value,
    type=click.Choice([r.value for r in UserRole]),
    help="an admin user also manages the partner's users",
)
def invite_user(partner_id: UUID, email: str, name: str, role: str) -> int:
    """Invite a user of a partner and email them a one-time sign-in link (15 minutes).

    Without an SMTP server (TENANTRY_SMTP_HOST) the email goes to the outbox folder and
    the link is printed here too, as sign_in_url (also when the email could not go)."""
    services = open_services(read_only=False)
    try:
        invitation = services.users.invite(
            partner_id=partner_id, email=email, name=name, role=UserRole(role), by=OPERATOR
        )
        smtp = bool(services.settings.smtp_host)
    finally:
        services.close()
    shown = invitation.user.model_dump(mode="json")
    if not smtp or not invitation.emailed:
        shown["sign_in_url"] = invitation.url
    click.echo(json.dumps(shown, indent=2))
    if not invitation.emailed:
        click.echo("tenantry: the invitation email was not sent (see the log)", err=True)
    return 0


@cli.group()
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


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = cli.main(args=argv, prog_name="tenantry", standalone_mode=False)
    except click.UsageError as error:
        return usage(error)
    except click.ClickException as error:
        report(error.format_message())
        return error.exit_code
    except click.Abort:
        return INTERRUPTED
    except BrokenPipeError:
        silence_stdout()
        return BROKEN_PIPE
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
