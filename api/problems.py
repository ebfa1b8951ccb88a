"""RFC 9457 problem details: every refusal and error leaves the API as one of these.

A caller whose ``Accept`` ranks HTML above JSON (a browser) gets the same problem as a
small page instead, with the same status and headers.
"""

from __future__ import annotations

from datetime import datetime
from http import HTTPStatus
from typing import Any

from pydantic import BaseModel
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from api.pages import page, prefers_html

TYPE_BASE = "https://tenantry.dev/problems/"
MEDIA_TYPE = "application/problem+json"

STATUS_OF_SLUG = {
    "validation": 422,
    "unauthorized": 401,
    "forbidden": 403,
    "partner-in-trial": 403,
    "not-found": 404,
    "method-not-allowed": 405,
    "invalid-state": 409,
    "extension-not-yet-available": 409,
    "not-eligible": 409,
    "idempotency-key-in-progress": 409,
    "idempotency-answer-lost": 409,
    "link-expired": 410,
    "precondition-failed": 412,
    "payload-too-large": 413,
    "idempotency-key-reused": 422,
    "too-many-requests": 429,
    "internal": 500,
    "busy": 503,
    "integrity": 503,
}


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None
    available_from: datetime | None = None


def problem(
    slug: str,
    detail: str,
    *,
    status: int | None = None,
    headers: dict[str, str] | None = None,
    **members: Any,
) -> Response:
    code = status or STATUS_OF_SLUG.get(slug, 500)
    body = Problem(
        type=TYPE_BASE + slug,
        title=HTTPStatus(code).phrase,
        status=code,
        detail=detail,
        **members,
    )
    return ProblemResponse(body, headers)


class ProblemResponse(Response):
    """``application/problem+json``, or its page for a browser."""

    media_type = MEDIA_TYPE

    def __init__(self, body: Problem, headers: dict[str, str] | None = None) -> None:
        self.problem = body
        # nosniff here too, not only in api/security_headers.py: a 500 is answered
        # outside the middleware, by Starlette's ServerErrorMiddleware.
        super().__init__(
            body.model_dump_json(exclude_none=True),
            status_code=body.status,
            headers={"X-Content-Type-Options": "nosniff", **(headers or {})},
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and prefers_html(Headers(scope=scope).get("accept", "")):
            html = page(self.problem.title, self.problem.detail, status_code=self.status_code)
            for name, value in self.headers.items():
                if name not in ("content-length", "content-type"):
                    html.headers.append(name, value)
            await html(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route: each refusal it may answer, as a Problem (a route
    that refuses bad keys with 401 also throttles them with 429)."""
    codes = (*codes, 429) if 401 in codes else codes
    return {
        code: {"model": Problem, "description": HTTPStatus(code).phrase} for code in sorted(codes)
    }
