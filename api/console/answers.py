"""The answers the console's pages share: a problem page (not found, not possible,
forbidden), a form sent back with its refusal or its field's error, and a button's
command followed by the page to go back to."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.responses import RedirectResponse
from starlette.requests import Request
from starlette.responses import Response

from api.bootstrap import Services
from api.console.people import header
from api.console.templates import render
from application.console_sessions import Session
from application.errors import NotFound
from domain.errors import DomainError, Forbidden, ValidationFailed

TITLES = {404: "Not found", 409: "Not possible", 403: "Forbidden"}


def problem(
    request: Request, services: Services, session: Session, detail: str, status: int
) -> Response:
    """The problem page, under the signed-in header, with ``status``."""
    context = {**header(services, session), "title": TITLES[status], "detail": detail}
    return render(request, "problem.html", context, status_code=status)


def refused(
    request: Request,
    services: Services,
    session: Session,
    error: DomainError | str,
    *,
    conflict: type[DomainError],
) -> Response:
    """A problem page: the domain's refusal (or ``error``'s text, 403): 404 for what is
    not found, 409 for a ``conflict`` that is not ``Forbidden``, else 403."""
    if isinstance(error, str):
        return problem(request, services, session, error, 403)
    if isinstance(error, NotFound):
        status = 404
    elif isinstance(error, conflict) and not isinstance(error, Forbidden):
        status = 409
    else:
        status = 403
    return problem(request, services, session, error.detail, status)


def form_refused(
    request: Request,
    page: str,
    context: dict[str, object],
    error: DomainError,
    *,
    refused_status: int = 403,
) -> Response:
    """``page`` again: a field's error (422) beside its field, else the domain's refusal."""
    if isinstance(error, ValidationFailed):
        context["errors"] = {error.field: error.message}
        return render(request, page, context, status_code=422)
    context["refusal"] = error.detail
    return render(request, page, context, status_code=refused_status)


def then_to(
    to: str, command: Callable[[], object], refused: Callable[[DomainError], Response]
) -> Response:
    """``command``, then to ``to`` (303); ``refused``'s page if the domain refuses it."""
    try:
        command()
    except DomainError as domain:
        return refused(domain)
    return RedirectResponse(to, status_code=303)
