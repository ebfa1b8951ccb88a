"""Headers every answer carries, and those of HTML pages (the activation page, /docs,
the console, whose policy is stricter still: no inline style either, never cached).

``nosniff`` everywhere; on HTML a Content-Security-Policy that allows only this
origin's scripts, styles and images (no inline script) and forbids framing (no
clickjacking of the Activate button), plugins and foreign form targets, unless the
page set its own; ``no-referrer``, since an activation link carries its
token in the URL and must not leak to another site through the Referer header.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

EVERY_ANSWER = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
# Scripts, styles and images from this origin only: no inline script, nothing fetched
# elsewhere (inline styles stay allowed: Swagger UI and ReDoc set them from their scripts).
PAGE_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline';"
    " frame-ancestors 'none'; object-src 'none'; base-uri 'none'; form-action 'self'"
)
HTML_PAGES = {
    "Content-Security-Policy": PAGE_POLICY,
    "X-Frame-Options": "DENY",
}
# The console (and ``/``, which leads to it): no inline script or style at all, and no
# page kept in a cache (its pages show activation links).
CONSOLE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
    " connect-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none';"
    " form-action 'self'"
)
CONSOLE_PAGES = {
    "Content-Security-Policy": CONSOLE_POLICY,
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def is_console(path: str) -> bool:
    return path in {"/", "/console"} or path.startswith("/console/")


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                html = headers.get("content-type", "").startswith("text/html")
                pages = CONSOLE_PAGES if is_console(scope["path"]) else HTML_PAGES
                for name, value in (EVERY_ANSWER | (pages if html else {})).items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)
