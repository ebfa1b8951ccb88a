"""Signing in with an API key (or the admin token), and out again. A person signs in
with an emailed link (api/console/sign_in_links.py)."""

from __future__ import annotations

import logging
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from api.console.session import CsrfChecked, clear_cookie, cookie_token, set_cookie, signed
from api.console.templates import render
from api.deps import ServicesDep
from api.sign_in_throttle import FailedSignIns, key_prefix
from application.console_sessions import Refused

router = APIRouter(include_in_schema=False)
log = logging.getLogger("tenantry.auth")
HOME = "/console/customers"
SIGN_IN = "/console/sign-in"
PAGE = "sign_in.html"
NOT_ACCEPTED = "That key was not accepted. Check that you copied all of it, and try again."
THROTTLED = "Too many failed sign-ins from this address or with this key. Try again in {s} s."
ApiKey = Annotated[str, Form(max_length=1000)]
FOREIGN = "This form was sent from another site; open the sign-in page here and try again."


def page_context(**values: object) -> dict[str, object]:
    """What the sign-in page shows: both forms, with a note or an error on one."""
    return {"error": None, "note": None, "email": "", "link_note": None, "link_error": None} | (
        values
    )


def too_often(request: Request, context: dict[str, object], wait: int) -> Response:
    """The sign-in page again, answered 429 with when to try again."""
    answer = render(request, PAGE, context, status_code=429)
    answer.headers["Retry-After"] = str(wait)
    return answer


def secure(services: ServicesDep) -> bool:
    return services.settings.public_url.lower().startswith("https://")


@router.get("/")
@router.get("/console")
def home(request: Request, services: ServicesDep) -> Response:
    signed_in = cookie_token(request, services.cookie_key) is not None
    return RedirectResponse(HOME if signed_in else SIGN_IN, status_code=303)


@router.get(SIGN_IN)
def sign_in_page(request: Request, services: ServicesDep, signed_out: bool = False) -> Response:
    token = cookie_token(request, services.cookie_key)
    if token is not None and services.sessions.resolve(token) is not None:
        return RedirectResponse(HOME, status_code=303)
    note = "You are signed out." if signed_out else None
    return render(request, PAGE, page_context(note=note))


@router.post(SIGN_IN)
def sign_in(request: Request, services: ServicesDep, api_key: ApiKey = "") -> Response:
    if not same_origin(request):
        return render(request, PAGE, page_context(error=FOREIGN), status_code=403)
    key = api_key.strip()
    failures: FailedSignIns = request.app.state.sign_in_failures
    address = request.client.host if request.client else "unknown"
    prefix = key_prefix(key) if key else None
    identities = [("address", address)] + ([("key", prefix)] if prefix else [])
    wait = failures.retry_after(identities)
    if wait is not None:
        return too_often(request, page_context(error=THROTTLED.format(s=wait)), wait)
    try:
        opened = services.sessions.open(key) if key else None
    except Refused as refused:
        return render(request, PAGE, page_context(error=f"{refused}."), status_code=403)
    if opened is None:
        failures.failed(identities)
        log.warning("failed console sign-in from %s with key %r", address, prefix or "(other)")
        return render(request, PAGE, page_context(error=NOT_ACCEPTED), status_code=401)
    answer = RedirectResponse(HOME, status_code=303)
    set_cookie(answer, signed(opened.token, services.cookie_key), secure=secure(services))
    return answer


@router.post("/console/sign-out")
def sign_out(request: Request, services: ServicesDep, session: CsrfChecked) -> Response:
    token = cookie_token(request, services.cookie_key)
    if token is not None:
        services.sessions.close(token)
    answer = RedirectResponse(f"{SIGN_IN}?signed_out=true", status_code=303)
    clear_cookie(answer, secure=secure(services))
    return answer


def same_origin(request: Request) -> bool:
    """A form posted from this site. Browsers say where a request comes from in
    ``Sec-Fetch-Site``; older ones in ``Origin`` (``null`` under the pages'
    ``Referrer-Policy: no-referrer``, which tells nothing)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        return True
    return urlsplit(origin).netloc == request.headers.get("host", "")
