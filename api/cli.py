"""The tenantry command line: serve the API, run the background work, register
partners, invite their users, read and check histories, rebuild views.

Paths are relative to TENANTRY_HOME (see the README); errors are one line (exit 2: the
command line is wrong, 1: it failed); --debug or TENANTRY_DEBUG=1 shows the traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import click

from api import cli_audit, cli_projections, cli_serve
from api.cli_errors import (
    BROKEN_PIPE,
    DEBUG_ENV,
    debugging,
    fail,
    report,
    silence_stdout,
    usage,
)
from api.cli_services import OPERATOR, open_services
from domain.values import PartnerKind, PartnerStatus, UserRole

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
cli.add_command(cli_audit.audit)


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
