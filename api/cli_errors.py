"""How the command line answers mistakes: one line saying what is wrong and how to fix
it, exit 2 for a wrong command line and 1 for a failure; ``--debug`` (or
``TENANTRY_DEBUG=1``) adds the traceback."""

from __future__ import annotations

import os
import sys
import traceback
from datetime import datetime

import click
import psycopg
from eventsourcing.persistence import PersistenceError
from pydantic import ValidationError

from adapters.database_check import DatabaseProblem
from domain.errors import DomainError, ValidationFailed

USAGE = 2
FAILURE = 1
BROKEN_PIPE = 128 + 13  # as if killed by SIGPIPE, like other tools in a pipeline
DEBUG_ENV = "TENANTRY_DEBUG"


class Instant(click.ParamType[datetime, str | datetime]):
    """An RFC 3339 instant with its time zone (``2026-12-01T00:00:00Z``)."""

    name = "instant"

    def convert(
        self, value: str | datetime, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            instant = datetime.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not an instant: write e.g. 2026-12-01T09:00:00Z", param, ctx)
        if instant.tzinfo is None:
            self.fail(
                f"{value!r} has no time zone: add one, e.g. {instant.isoformat()}Z", param, ctx
            )
        return instant


def debugging() -> bool:
    return os.environ.get(DEBUG_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def report(message: str) -> None:
    """One line on stderr, ``Error:`` in red on a terminal."""
    click.echo(f"{click.style('Error:', fg='red', bold=True)} {message}", err=True)


def option_for(field: str) -> str:
    """The option a domain field came from: ``distributor_id`` -> ``--distributor``."""
    return "--" + field.removesuffix("_id").replace("_", "-")


def explain(error: BaseException) -> tuple[int, str]:
    """The exit code and the one line for an error raised while a command ran."""
    if isinstance(error, ValidationFailed):
        return USAGE, f"{option_for(error.field)}: {error.message}"
    if isinstance(error, DomainError):
        return FAILURE, error.detail
    if isinstance(error, OSError) and error.filename:
        return FAILURE, f"{error.strerror}: {error.filename}"
    return FAILURE, environment_problem(error) or (
        f"{type(error).__name__}: {error} (run with --debug to see the traceback)"
    )


def environment_problem(error: BaseException) -> str | None:
    """What is wrong with the settings or the database, if that is the error."""
    if isinstance(error, DatabaseProblem):
        return str(error)
    if isinstance(error, ValidationError) and error.title == "Settings":  # TENANTRY_*
        first = error.errors()[0]
        name = "TENANTRY_" + "_".join(str(p) for p in first["loc"]).upper()
        return f"{name}: {first['msg']} (fix or unset that environment variable)"
    if isinstance(error, psycopg.Error | PersistenceError):
        reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
        return f"the database failed: {type(error).__name__} {reason}".rstrip()
    return None


def fail(error: BaseException, *, debug: bool) -> int:
    """Report ``error`` (with its traceback when debugging); the exit code."""
    code, message = explain(error)
    if debug:
        traceback.print_exception(error)
    report(message)
    return code


def usage(error: click.UsageError) -> int:
    """A wrong command line, in one line, with where to read the right one."""
    if isinstance(error, click.exceptions.NoArgsIsHelpError):
        error.show()
        return USAGE
    where = error.ctx.command_path if error.ctx is not None else "tenantry"
    message = " ".join(error.format_message().split())
    report(f"{message} (see '{where} --help')")
    return USAGE


def silence_stdout() -> None:
    """The reader of our output left (``| head``): further writes, and the flush at
    exit, go nowhere instead of raising ``BrokenPipeError`` again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
