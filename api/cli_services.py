"""What the command line's commands share: the services over the configured database,
and the actors the operator's commands run as."""

from __future__ import annotations

import click

from adapters.database_check import check_database, missing_sqlite_file
from api.bootstrap import Services, build
from api.settings import Settings
from domain.values import Actor, ActorKind

OPERATOR = Actor(kind=ActorKind.ADMIN, id="cli")
AUDITOR = Actor(kind=ActorKind.AUDITOR, id="cli")


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
