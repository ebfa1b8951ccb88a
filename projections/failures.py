"""Why the views could not take an event, told without the event's data."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from uuid import UUID

from eventsourcing.persistence import Mapper, Notification
from pydantic import ValidationError


class ProjectionFailed(Exception):
    """The views could not take the event at ``position`` (of type ``event_type``)."""

    def __init__(self, position: int, topic: str, error: Exception) -> None:
        self.position = position
        self.event_type = topic
        self.cause = describe(error)
        super().__init__(f"event {position} ({topic}): {self.cause}")


def log_failure(log: logging.Logger, error: Exception, position: int) -> None:
    """Log a follower's failure by position, event type and error class: never the
    error's text, which may quote the event's data (names, emails)."""
    if isinstance(error, ProjectionFailed):
        log.error(
            "projection follower cannot apply event %d (%s): %s; retrying",
            error.position,
            error.event_type,
            error.cause,
        )
    else:
        log.error(
            "projection follower failed at position %d: %s; retrying",
            position,
            describe(error),
        )
    # The traceback (whose messages may quote the data) only when asked for.
    log.debug("projection follower failure", exc_info=error)


def describe(error: Exception) -> str:
    """The error's class and what names the problem without quoting values: the
    server's SQLSTATE (its messages may quote a value), the client's own message (e.g.
    a NUL PostgreSQL cannot keep), a validation error's fields and kinds."""
    name = type(error).__name__
    if isinstance(error, ValidationError):
        fields = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['type']}"
            for e in error.errors(include_input=False, include_url=False)
        )
        return f"{name}: {fields}"
    if hasattr(error, "sqlstate"):  # psycopg's errors (projections import no driver)
        if error.sqlstate:  # the server's messages may quote a value: its code only
            return f"{name}: SQLSTATE {error.sqlstate}"
        return f"{name}: {str(error).splitlines()[0]}" if str(error) else name
    if hasattr(error, "sqlite_errorname"):  # sqlite3's errors
        return f"{name}: {error}"
    return name


def undecodable(
    mapper: Mapper[UUID], batch: Sequence[Notification], error: Exception
) -> ProjectionFailed:
    """The first notification of ``batch`` that does not decode, named (``error`` is
    what decoding the batch raised)."""
    for notification in batch:
        try:
            mapper.to_domain_event(notification)
        except Exception as failed:
            return ProjectionFailed(notification.id, notification.topic, failed)
    return ProjectionFailed(batch[0].id, batch[0].topic, error)
