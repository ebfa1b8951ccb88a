"""A customer's page: every field, its activation link with **Copy** (its owner only,
as the API rules), and its **History**, oldest first. Auditors get an **As of** field
that shows the customer as it was at an instant (the API's ``?as_of=``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.console.customers import owners
from api.console.people import display_name
from api.console.selection import sentence, viewer
from api.console.session import SignedIn
from api.console.templates import render
from api.deps import ServicesDep
from application.console_sessions import Session
from application.dto import ActivationLink, ActorDTO, CustomerDTO
from domain.errors import DomainError, ValidationFailed
from domain.values import Actor, ActorKind

router = APIRouter(include_in_schema=False)
PAGE = "customers/customer.html"
AsOf = Annotated[str, Query(max_length=40)]
NAMED = {
    ActorKind.SYSTEM: "the system",
    ActorKind.CUSTOMER: "the customer",
    ActorKind.IMPORTER: "the importer",
}


@router.get("/console/customers/{customer_id}")
def customer_page(
    customer_id: UUID,
    request: Request,
    services: ServicesDep,
    session: SignedIn,
    as_of: AsOf = "",
) -> Response:
    by = session.actor
    may_travel = by.kind is ActorKind.AUDITOR
    instant, error = None, None
    if may_travel and as_of.strip():
        try:
            instant = an_instant(as_of)
        except ValidationFailed as invalid:
            error = sentence(invalid.message)
    try:
        customer = services.queries.get(customer_id, by=by, as_of=instant)
    except DomainError as refused:
        if instant is None:
            raise
        error, instant = sentence(refused.detail), None
        customer = services.queries.get(customer_id, by=by)
    history = services.queries.history(customer_id, by=by).events
    if instant is not None:
        history = [event for event in history if event.effective_at <= instant]
    context = {
        **viewer(services, session),
        "customer": customer,
        "owner": owner_name(services, customer),
        "link": None if instant else link_of(services, session, customer_id),
        "history": [(event, actor_name(services, event.actor)) for event in history],
        "may_travel": may_travel,
        "as_of": instant,
        "as_of_value": as_of.strip() if error else field_value(instant),
        "error": error,
    }
    return render(request, PAGE, context)


def an_instant(text: str) -> datetime:
    """A ``datetime-local`` value (read as UTC) or an ISO instant with its zone."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed("as_of", "give a date and time such as 2026-01-31 09:00") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def field_value(instant: datetime | None) -> str:
    return "" if instant is None else f"{instant.astimezone(UTC):%Y-%m-%dT%H:%M}"


def link_of(services: ServicesDep, session: Session, customer_id: UUID) -> ActivationLink | None:
    try:
        return services.activation.current(customer_id, by=session.actor)
    except DomainError:
        return None


def owner_name(services: ServicesDep, customer: CustomerDTO) -> str:
    return owners(services, {customer.partner_id})[customer.partner_id]


def actor_name(services: ServicesDep, actor: ActorDTO) -> str:
    """``Ada Lovelace (ada@msp.example), Northwind (MSP)`` for a partner's person,
    ``Northwind (MSP)`` for its key, ``the importer``, ``the system``."""
    kind = ActorKind(actor.kind)
    if kind in NAMED:
        return NAMED[kind]
    principal = display_name(services, Actor(kind=kind, id=actor.id))
    return f"{actor.label}, {principal}" if actor.label else principal
