"""Exceptions to problem details, in one place."""

from __future__ import annotations

import logging
import sqlite3

import psycopg
from eventsourcing import persistence
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from api.openapi import operations
from api.problems import Slug, problem
from application.errors import Busy, TamperedHistory
from domain.errors import DomainError, ExtensionNotYetAvailable, ValidationFailed

log = logging.getLogger("tenantry.api")

SLUG_OF_STATUS = {
    slug.status: slug
    for slug in (Slug.UNAUTHORIZED, Slug.FORBIDDEN, Slug.NOT_FOUND, Slug.METHOD_NOT_ALLOWED)
}


# The database went away under a request (a restart, a failover, a terminated backend,
# a full pool): the request may be retried, so it is 503 ``busy``, never a 500.
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    psycopg.OperationalError,  # psycopg_pool.PoolTimeout too
    psycopg.InterfaceError,
    persistence.OperationalError,
    persistence.InterfaceError,
    sqlite3.OperationalError,  # the views' SQLite: locked past its busy timeout, disk I/O
)
RETRY_AFTER_S = 1


UNAUTHORIZED = "send a valid API key as 'Authorization: Bearer <key>'"
ADMIN_OFF = (
    "; admin calls are off: this server was started without an admin token. Set "
    "TENANTRY_ADMIN_TOKEN and restart (`tenantry serve` keeps one in var/admin.token "
    "when the variable is unset, not when it is empty)"
)


class Unauthorized(Exception):
    """No bearer key, or one that names nobody; ``admin_off``: and this route would
    take the admin, but no admin token is configured."""

    def __init__(self, *, admin_off: bool = False) -> None:
        super().__init__(UNAUTHORIZED + (ADMIN_OFF if admin_off else ""))


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(Unauthorized, _unauthorized)
    app.add_exception_handler(TamperedHistory, _tampered)
    for unavailable in DATABASE_UNAVAILABLE:
        app.add_exception_handler(unavailable, _unavailable)
    app.add_exception_handler(Exception, _bug)


def _domain(request: Request, error: Exception) -> Response:
    assert isinstance(error, DomainError)
    if isinstance(error, ValidationFailed):
        errors = [{"loc": [error.field], "msg": error.message}]
        return problem(Slug.VALIDATION, error.detail, errors=errors)
    if isinstance(error, ExtensionNotYetAvailable):
        return problem(Slug.named(error.slug), error.detail, available_from=error.available_from)
    if isinstance(error, Busy):
        return problem(Slug.named(error.slug), error.detail, headers={"Retry-After": "1"})
    return problem(Slug.named(error.slug), error.detail)


def _validation(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    errors = [
        {"loc": [str(p) if not isinstance(p, int) else p for p in e["loc"]], "msg": e["msg"]}
        for e in error.errors()
    ]
    fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in errors)
    return problem(Slug.VALIDATION, f"the request is not valid: {fields}", errors=errors)


def _http(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if error.status_code == 400:  # e.g. a body FastAPI could not parse
        errors = [{"loc": ["body"], "msg": str(error.detail)}]
        return problem(Slug.VALIDATION, "the request body is not valid JSON", errors=errors)
    slug = SLUG_OF_STATUS.get(error.status_code, Slug.HTTP_ERROR)
    detail = error.detail if isinstance(error.detail, str) else str(error.detail)
    headers = dict(error.headers or {})
    if error.status_code == 404 and detail == "Not Found":
        detail = f"no route {request.url.path}"
    if error.status_code == 405:
        # The router names the methods of the first route of the path it tried; the
        # document knows every operation of the path.
        allowed = operations(request.app).allowed(request.url.path) or [headers.get("Allow", "")]
        headers["Allow"] = ", ".join(allowed)
        detail = (
            f"{request.method} is not a method of {request.url.path}; it has {headers['Allow']}"
        )
    return problem(slug, detail, status=error.status_code, headers=headers)


def _unauthorized(request: Request, error: Exception) -> Response:
    return problem(Slug.UNAUTHORIZED, str(error), headers={"WWW-Authenticate": "Bearer"})


def _tampered(request: Request, error: Exception) -> Response:
    # Not served, and not a bug: the stored history fails its MAC (logged, and counted in
    # tenantry_integrity_failures). `tenantry audit verify` names every bad position.
    assert isinstance(error, TamperedHistory)
    return problem(Slug.named(error.slug), f"{error.detail}; it was logged")


def _unavailable(request: Request, error: Exception) -> Response:
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, error)
    return unavailable()


def unavailable() -> Response:
    return problem(
        Slug.BUSY,
        "the database is unavailable for a moment; try again",
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


def _bug(request: Request, error: Exception) -> Response:
    # Called as a handler, outside the except block: the traceback must be passed.
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return problem(Slug.INTERNAL, "the server failed; this is a bug and it was logged")
