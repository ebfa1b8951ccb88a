"""The Customers page: its two tabs, **Customers** and **Pending customers**, read
through the same list port and queries as the JSON API (``services.lists``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.console import paging
from api.console.people import header
from api.console.rows import customer_row, pending_row
from api.console.session import SignedIn
from api.console.templates import is_htmx, render
from api.deps import ServicesDep
from api.policy import PARTNERS
from api.positions import reflecting
from application.console_sessions import Session
from application.dto import CustomerDTO
from application.errors import NotFound
from application.lists import CustomerLists, ListQuery
from domain.errors import ValidationFailed
from domain.partner import Partner
from domain.values import ActorKind, Status

router = APIRouter(include_in_schema=False)
PATH = "/console/customers"
POLL = "every 5s"
PAGE_SIZE = 25
Tab = Literal["customers", "pending"]
TABS = ("customers", "pending")
Cursor = Annotated[str | None, Query(max_length=500, pattern="^[A-Za-z0-9_-]+$")]
Back = Annotated[str | None, Query(max_length=12_000, pattern="^[A-Za-z0-9_.-]*$")]
ACTION_MENU = (
    ("extend-trial", "+ Extend trial"),
    ("upgrade", "Manage subscription upgrade"),
    ("convert", "Convert to production account"),
    ("edit", "Edit SKUs and expiration dates"),
)
BAD_POSITION = "That position in the list is not valid any more; here is its first page."


@router.get(PATH)
def customers_page(
    request: Request,
    services: ServicesDep,
    session: SignedIn,
    tab: Tab = "customers",
    q: Annotated[str, Query(max_length=200)] = "",
    status: Status | Literal[""] = "",
    cursor: Cursor = None,
    back: Back = None,
    limit: Annotated[int, Query(ge=1, le=100)] = PAGE_SIZE,
    owner: UUID | None = None,
) -> Response:
    filters: dict[str, str | None] = {
        "tab": tab,
        "q": q.strip() or None,
        "status": status or None,
        "owner": str(owner) if owner else None,
    }
    earlier = paging.trail(back)
    limit_param = None if limit == PAGE_SIZE else str(limit)
    error = None
    lists = reflecting(services, session.actor, None, session.position)
    try:
        rows, next_cursor = listed(services, lists, session, tab, filters, cursor, limit)
    except ValidationFailed as refused:
        if refused.field != "cursor":
            raise
        error, cursor, earlier = BAD_POSITION, None, []
        rows, next_cursor = listed(services, lists, session, tab, filters, None, limit)
    here = {**filters, "cursor": cursor, "back": ".".join(earlier) or None, "limit": limit_param}
    previous = paging.previous_params(cursor, earlier)
    context = {
        **header(services, session),
        "tab": tab,
        "can_add": session.actor.kind in PARTNERS,
        "action_menu": ACTION_MENU,
        "q": q,
        "status": status,
        "statuses": [s.value for s in Status],
        "rows": rows,
        "error": error,
        "poll": POLL if tab == "pending" else None,
        "self_url": paging.url(PATH, here),
        "tab_urls": {
            t: paging.url(PATH, {"tab": t, "q": filters["q"], "owner": filters["owner"]})
            for t in TABS
        },
        "owner": filters["owner"],
        "owner_name": owner and owner_name(services, session, owner),
        "next_url": next_cursor
        and paging.url(PATH, {**here, **paging.next_params(cursor, earlier, next_cursor)}),
        "previous_url": previous and paging.url(PATH, {**here, **previous}),
    }
    block = "list" if is_htmx(request) and request.headers.get("HX-Target") == "list" else None
    return render(request, "customers/list.html", context, block=block)


def listed(
    services: ServicesDep,
    lists: CustomerLists,
    session: Session,
    tab: Tab,
    filters: dict[str, Any],
    cursor: str | None,
    limit: int,
) -> tuple[list[Any], str | None]:
    viewer = session.actor
    owner = UUID(filters["owner"]) if filters["owner"] else None
    query = ListQuery(viewer, limit, q=filters["q"], cursor=cursor, owner=owner)
    if tab == "pending":
        page = lists.pending(query)
        pending = [
            pending_row(CustomerDTO.of(c), services.activation.url_for(c, viewer))
            for c in page.items
        ]
        return pending, page.next_cursor
    status = Status(filters["status"]) if filters["status"] else None
    page = lists.onboarded(query, status)
    names = owners(services, {c.state.partner_id for c in page.items})
    onboarded = [customer_row(CustomerDTO.of(c), names[c.state.partner_id]) for c in page.items]
    return onboarded, page.next_cursor


def owners(services: ServicesDep, ids: set[UUID]) -> dict[UUID, str]:
    names = {}
    for partner_id in ids:
        try:
            names[partner_id] = services.uow.load(Partner, partner_id).state.name
        except NotFound:
            names[partner_id] = str(partner_id)
    return names


def owner_name(services: ServicesDep, session: Session, owner: UUID) -> str:
    """The name of the partner the list is filtered by, if the viewer may know it."""
    viewer = session.actor
    try:
        partner = services.uow.load(Partner, owner)
    except NotFound:
        return str(owner)
    if viewer.kind in (ActorKind.ADMIN, ActorKind.AUDITOR) or viewer.id in (
        str(owner),
        str(partner.state.distributor_id),
    ):
        return partner.state.name
    return str(owner)
