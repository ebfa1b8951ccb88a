"""The Partners page: a distributor's MSPs (every partner for the admin and auditors),
each with its status and number of customers, linking to its customers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.console import paging
from api.console.people import LISTS_PARTNERS, header
from api.console.session import SignedIn
from api.console.templates import render
from api.deps import ServicesDep
from domain.errors import ValidationFailed
from domain.values import ActorKind

router = APIRouter(include_in_schema=False)
PATH = "/console/partners"
PAGE_SIZE = 25
Cursor = Annotated[str | None, Query(max_length=500, pattern="^[A-Za-z0-9_-]+$")]
Back = Annotated[str | None, Query(max_length=12_000, pattern="^[A-Za-z0-9_.-]*$")]
ONLY = "The Partners page is for distributors, auditors and the admin."
BAD_POSITION = "That position in the list is not valid any more; here is its first page."


@router.get(PATH)
def partners_page(
    request: Request,
    services: ServicesDep,
    session: SignedIn,
    cursor: Cursor = None,
    back: Back = None,
) -> Response:
    viewer = session.actor
    if viewer.kind not in LISTS_PARTNERS:
        context = {**header(services, session), "title": "Forbidden", "detail": ONLY}
        return render(request, "problem.html", context, status_code=403)
    earlier, error = paging.trail(back), None
    try:
        page = services.partners.list_partners(by=viewer, limit=PAGE_SIZE, cursor=cursor)
    except ValidationFailed:
        error, cursor, earlier = BAD_POSITION, None, []
        page = services.partners.list_partners(by=viewer, limit=PAGE_SIZE)
    previous = paging.previous_params(cursor, earlier)
    context = {
        **header(services, session),
        "heading": "Your MSPs" if viewer.kind is ActorKind.DISTRIBUTOR else "Partners",
        "rows": page.items,
        "error": error,
        "customers_of": lambda partner_id: paging.url(
            "/console/customers", {"owner": str(partner_id)}
        ),
        "next_url": page.next_cursor
        and paging.url(PATH, paging.next_params(cursor, earlier, page.next_cursor)),
        "previous_url": previous and paging.url(PATH, previous),
    }
    return render(request, "partners/list.html", context)
