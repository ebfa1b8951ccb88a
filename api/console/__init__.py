"""The partner console: server-rendered pages under ``/console`` for the people who run
the trials, calling the application layer directly (never the HTTP API)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from api.console import (
    add_customer,
    analytics,
    customer_actions,
    customer_page,
    customers,
    partners,
    reissue,
    sign_in,
    sign_in_links,
    users,
    webhook_endpoint,
    webhooks,
)
from api.console.session import COOKIE, CsrfRefused, SignInRequired
from api.console.templates import is_htmx, render
from api.sign_in_throttle import FailedSignIns

EXPIRED_FORM = (
    "This form has expired or was not sent from this console. Reload the page and try again."
)


def install(app: FastAPI, failures: FailedSignIns) -> None:
    """The console's routes; ``failures`` are the sign-in failures the API counts too."""
    app.state.sign_in_failures = failures
    app.state.sign_in_links_asked = FailedSignIns(sign_in_links.ASKED_PER_MINUTE)
    app.include_router(sign_in.router)
    app.include_router(sign_in_links.router)
    app.include_router(users.router)
    app.include_router(webhooks.router)
    app.include_router(webhook_endpoint.router)
    app.include_router(customers.router)
    app.include_router(add_customer.router)
    app.include_router(reissue.router)
    app.include_router(partners.router)
    app.include_router(analytics.router)
    app.include_router(customer_actions.router)
    app.include_router(customer_page.router)  # after /console/customers/new
    app.add_exception_handler(SignInRequired, _sign_in_required)
    app.add_exception_handler(CsrfRefused, _csrf_refused)


def _sign_in_required(request: Request, error: Exception) -> Response:
    """To the sign-in page; an htmx request (a poll) is told to go there as a whole."""
    answer: Response
    if is_htmx(request):
        answer = Response(status_code=204, headers={"HX-Redirect": sign_in.SIGN_IN})
    else:
        answer = RedirectResponse(sign_in.SIGN_IN, status_code=303)
    if COOKIE in request.cookies:
        answer.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")
    return answer


def _csrf_refused(request: Request, error: Exception) -> Response:
    context = {"title": "Forbidden", "detail": EXPIRED_FORM}
    return render(request, "problem.html", context, status_code=403)
