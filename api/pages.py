"""Small HTML pages for people with a browser: a problem, an activation step.

Everything interpolated is escaped here; the pages carry no script and no inline style.
"""

from __future__ import annotations

from html import escape

from starlette.responses import HTMLResponse

HTML_TYPES = ("text/html", "application/xhtml+xml")
JSON_TYPES = ("application/json", "application/problem+json")


def prefers_html(accept: str) -> bool:
    """Whether the Accept header names HTML and ranks it above JSON.

    ``*/*`` alone (curl, httpx, generated clients) is not a wish for HTML."""
    html, json = 0.0, 0.0
    for part in accept.split(","):
        media, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.strip().lower()
        if media in HTML_TYPES:
            html = max(html, quality)
        elif media in JSON_TYPES or media in ("*/*", "application/*"):
            json = max(json, quality)
    return html > 0 and html > json


def page(title: str, *paragraphs: str, form: str = "", status_code: int = 200) -> HTMLResponse:
    """A page with a heading, paragraphs of text and optionally a form (already HTML)."""
    body = "".join(f"<p>{escape(text)}</p>" for text in paragraphs)
    return HTMLResponse(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)} - Tenantry</title></head>"
        f"<body><main><h1>{escape(title)}</h1>{body}{form}</main></body></html>",
        status_code=status_code,
    )
