"""The console's session cookie, the signed-in dependency and the CSRF check.

The cookie holds the session token and an HMAC of it (``<token>.<mac>``, keyed with
``Services.cookie_key``): a cookie the server did not make is refused without a database
read. The session itself lives server-side (application/console_sessions.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from api.deps import ServicesDep
from application.console_sessions import ABSOLUTE, Session

COOKIE = "tenantry_console"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class SignInRequired(Exception):
    """No session, or one that ended: the browser goes to the sign-in page."""


class CsrfRefused(Exception):
    """A state-changing request without its session's CSRF token."""


def _mac(token: str, key: bytes) -> str:
    digest = hmac.digest(key, token.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def signed(token: str, key: bytes) -> str:
    return f"{token}.{_mac(token, key)}"


def unsigned(value: str | None, key: bytes) -> str | None:
    """The token a cookie carries, if the server made the cookie."""
    token, _, mac = (value or "").rpartition(".")
    if not token or not hmac.compare_digest(mac.encode(), _mac(token, key).encode()):
        return None
    return token


def set_cookie(response: Response, value: str, *, secure: bool) -> None:
    response.set_cookie(
        COOKIE,
        value,
        max_age=int(ABSOLUTE.total_seconds()),
        path="/",
        secure=secure,
        httponly=True,
        samesite="lax",
    )


def clear_cookie(response: Response, *, secure: bool) -> None:
    response.delete_cookie(COOKIE, path="/", secure=secure, httponly=True, samesite="lax")


def cookie_token(request: Request, key: bytes) -> str | None:
    return unsigned(request.cookies.get(COOKIE), key)


async def signed_in(request: Request, services: ServicesDep) -> Session:
    token = cookie_token(request, services.cookie_key)
    session = await run_in_threadpool(services.sessions.resolve, token) if token else None
    if session is None:
        raise SignInRequired
    return session


SignedIn = Annotated[Session, Depends(signed_in)]


async def csrf_checked(request: Request, session: SignedIn) -> Session:
    """The session, if the request carries its CSRF token (a form field, or the header
    htmx sends)."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if sent is None or not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
        raise CsrfRefused
    return session


CsrfChecked = Annotated[Session, Depends(csrf_checked)]
