"""RFC 9457 problem details: every refusal and error leaves the API as one of these."""

from __future__ import annotations

from datetime import datetime
from http import HTTPStatus
from typing import Any

from pydantic import BaseModel
from starlette.responses import Response

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
    "link-expired": 410,
    "precondition-failed": 412,
    "payload-too-large": 413,
    "idempotency-key-reused": 422,
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
    return Response(
        body.model_dump_json(exclude_none=True),
        status_code=code,
        media_type=MEDIA_TYPE,
        headers=headers,
    )


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route: each refusal it may answer, as a Problem."""
    return {
        code: {"model": Problem, "description": HTTPStatus(code).phrase} for code in sorted(codes)
    }
