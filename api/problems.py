"""RFC 9457 problem details: every refusal and error leaves the API as one of these.

A caller whose ``Accept`` ranks HTML above JSON (a browser) gets the same problem as a
small page instead, with the same status and headers.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from http import HTTPStatus
from typing import Any, Self

from pydantic import BaseModel
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from api.pages import page, prefers_html

TYPE_BASE = "https://tenantry.dev/problems/"
MEDIA_TYPE = "application/problem+json"


class Slug(StrEnum):
    """The one table of problem types: the last part of each type's URI, and the status
    it is answered with. The domain's and the application's errors name theirs by value
    (``DomainError.slug``); every one of them is here (tests/unit/test_problem_slugs.py)."""

    status: int

    def __new__(cls, value: str, status: int) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.status = status
        return member

    @classmethod
    def named(cls, value: str) -> Slug:
        """The slug an error names by value (``DomainError.slug``)."""
        for slug in cls:
            if slug.value == value:
                return slug
        raise ValueError(f"no problem type {value!r}")

    VALIDATION = "validation", 422
    UNAUTHORIZED = "unauthorized", 401
    FORBIDDEN = "forbidden", 403
    PARTNER_IN_TRIAL = "partner-in-trial", 403
    NOT_FOUND = "not-found", 404
    METHOD_NOT_ALLOWED = "method-not-allowed", 405
    INVALID_STATE = "invalid-state", 409
    EXTENSION_NOT_YET_AVAILABLE = "extension-not-yet-available", 409
    NOT_ELIGIBLE = "not-eligible", 409
    IDEMPOTENCY_KEY_IN_PROGRESS = "idempotency-key-in-progress", 409
    IDEMPOTENCY_ANSWER_LOST = "idempotency-answer-lost", 409
    LINK_EXPIRED = "link-expired", 410
    PRECONDITION_FAILED = "precondition-failed", 412
    PAYLOAD_TOO_LARGE = "payload-too-large", 413
    IDEMPOTENCY_KEY_REUSED = "idempotency-key-reused", 422
    TOO_MANY_REQUESTS = "too-many-requests", 429
    INTERNAL = "internal", 500
    BUSY = "busy", 503
    INTEGRITY = "integrity", 503
    # Any other refusal of the router, answered with its own status.
    HTTP_ERROR = "http-error", 500


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
    slug: Slug,
    detail: str,
    *,
    status: int | None = None,
    headers: dict[str, str] | None = None,
    **members: Any,
) -> ProblemResponse:
    code = status or slug.status
    body = Problem(
        type=TYPE_BASE + slug.value,
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
