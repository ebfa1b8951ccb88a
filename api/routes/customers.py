"""Adding customers, reading one, its history, and the two lists."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response

from api.deps import IDEMPOTENT, SECRET, Principal, ServicesDep
from api.headers import ETAG, LOCATION, answers
from api.positions import SentPosition, reflecting, sent_position
from api.problems import responses
from api.representations import CustomerPage, PendingCustomer, PendingPage, tagged
from api.schemas import NewCustomer
from application.dto import CustomerDTO, History
from application.errors import NotFound
from application.lists import ListQuery
from domain.errors import ValidationFailed
from domain.text import Line
from domain.values import ActorKind, Status

router = APIRouter(prefix="/v1/customers", tags=["customers"])
READ = responses(401, 403, 404, 422)
LIST = responses(401, 403, 422, 503)
# A read of one customer reads its events, never behind a write: the header is taken
# (and checked) so a client may send it on every read.
POSITIONED = [Depends(sent_position)]

Limit = Annotated[int, Query(ge=1, le=200)]
Search = Annotated[
    Line | None,
    Query(
        max_length=200,
        description="only customers whose organization name contains this text, in any case "
        "(the name only: emails are not searched)",
    ),
]
Cursor = Annotated[
    Line | None,
    Query(
        min_length=1,
        max_length=500,
        pattern="^[A-Za-z0-9_-]+$",
        description="the `next_cursor` of the previous page",
    ),
]
Owner = Annotated[UUID | None, Query(description="only customers this partner owns")]
Distributor = Annotated[UUID | None, Query(description="only customers of this distributor's MSPs")]


def listed(
    by: Principal,
    q: Search = None,
    limit: Limit = 50,
    cursor: Cursor = None,
    owner: Owner = None,
    distributor: Distributor = None,
) -> ListQuery:
    """A list's query parameters, the same on both lists."""
    return ListQuery(by, limit, q=q, cursor=cursor, owner=owner, distributor=distributor)


Listed = Annotated[ListQuery, Depends(listed)]


@router.post(
    "",
    status_code=201,
    response_model=CustomerDTO,
    responses={**responses(401, 403, 409, 413, 422, 503), **answers(201, ETAG, LOCATION)},
    dependencies=IDEMPOTENT,
)
def add_customer(
    body: NewCustomer, by: Principal, services: ServicesDep, request: Request, response: Response
) -> CustomerDTO:
    """*Add customer*; the admin adds `DIRECT` customers on a partner's behalf."""
    if by.kind is ActorKind.ADMIN and body.partner_id is None:
        raise ValidationFailed("partner_id", "the admin names the partner of a DIRECT customer")
    partner_id = body.partner_id or UUID(by.id)
    try:
        outcome = services.customers.add(
            partner_id=partner_id,
            organization_name=body.organization_name,
            notification_email=body.notification_email,
            sku=body.sku,
            addons=body.addons,
            by=by,
            direct=body.source == "DIRECT",
        )
    except NotFound:
        raise ValidationFailed("partner_id", f"no partner {partner_id}") from None
    customer = services.queries.describe(outcome.aggregate, by, outcome.owner)
    response.headers["Location"] = str(request.url_for("read_customer", customer_id=customer.id))
    tagged(response, customer.version)
    return customer


@router.get("/pending", response_model=PendingPage, responses=LIST, dependencies=SECRET)
def list_pending_customers(
    query: Listed, services: ServicesDep, position: SentPosition
) -> PendingPage:
    """The Pending customers view; each item's `activation_url` is given to its owner
    only (`null` for everyone else)."""
    by = query.viewer
    page = reflecting(services, by, position).pending(query)
    described = services.queries.describe_all(page.items, by)
    items = [  # dto is validated already: extend it without dumping and validating again
        PendingCustomer.model_construct(
            **dto.__dict__, activation_url=services.activation.url_for(c, by)
        )
        for c, dto in zip(page.items, described, strict=True)
    ]
    return PendingPage(items=items, next_cursor=page.next_cursor)


@router.get("", response_model=CustomerPage, responses=LIST)
def list_customers(
    services: ServicesDep, position: SentPosition, *, status: Status | None = None, query: Listed
) -> CustomerPage:
    """The Customers view: onboarded customers."""
    page = reflecting(services, query.viewer, position).onboarded(query, status)
    items = services.queries.describe_all(page.items, query.viewer)
    return CustomerPage(items=items, next_cursor=page.next_cursor)


@router.get(
    "/{customer_id}",
    response_model=CustomerDTO,
    responses={**READ, **answers(200, ETAG)},
    dependencies=POSITIONED,
)
def read_customer(
    customer_id: UUID,
    by: Principal,
    services: ServicesDep,
    response: Response,
    as_of: datetime | None = Query(None, description="the state as it was at this instant"),
) -> CustomerDTO:
    customer = services.queries.get(customer_id, by=by, as_of=as_of)
    tagged(response, customer.version)
    return customer


@router.get(
    "/{customer_id}/history", response_model=History, responses=READ, dependencies=POSITIONED
)
def customer_history(customer_id: UUID, by: Principal, services: ServicesDep) -> History:
    """Every event of the customer, oldest first."""
    return services.queries.history(customer_id, by=by)
