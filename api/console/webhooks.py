"""The **Webhooks** page: a partner's webhook endpoints (its people's and its key's
sessions; the admin sees and manages every partner's). Add one (its signing secret is
shown once, on the answer to the form), edit it (URL, event types, description,
disabled), enable or disable it, rotate its secret (the new one shown once) and retire
the previous one before its 24 hours are up, delete it after a confirm step; per
endpoint its last deliveries with their status code and timing, each with
**Redeliver**. The same application services as the API's ``/v1/webhook-endpoints``.

This module holds the list, its **Add** and **Rotate** (both answer with the list page
showing the new secret) and what the pages share; one endpoint's page, its form and
its actions are in ``api.console.webhook_endpoint``."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from api.console import answers
from api.console.answers import form_refused
from api.console.people import header
from api.console.session import CsrfChecked, SignedIn
from api.console.templates import render
from api.deps import ServicesDep
from application.console_sessions import Session
from application.errors import NotFound
from application.webhook_endpoints import WebhookEndpointDTO
from domain.errors import DomainError
from domain.partner import Partner
from domain.values import Actor, ActorKind
from domain.webhook_types import EVENT_TYPES

router = APIRouter(include_in_schema=False)
PATH = "/console/webhooks"
PAGE = "webhooks/list.html"
ONE_PAGE = "webhooks/endpoint.html"
EDIT_PAGE = "webhooks/edit.html"
DELIVERIES_SHOWN = 20
ONLY_PARTNERS = (
    "Webhook endpoints belong to a partner: its people and its key manage them here, "
    "and the admin manages every partner's."
)
NOTES = {
    "enabled": "The endpoint was enabled: deliveries to it resume.",
    "disabled": "The endpoint was disabled: nothing is sent to it until it is enabled.",
    "deleted": "The endpoint was deleted: nothing more is sent to it.",
    "redelivered": "The delivery was queued again, with the same webhook-id.",
    "changed": "The endpoint was saved.",
    "retired": "The previous secret was retired: only the newest secret signs from now on.",
}
# Where a form sends the browser back to: the list, or the endpoint's own page.
BACK = {"list": PATH, "endpoint": PATH + "/{endpoint_id}"}
NO_STORE = {"Cache-Control": "no-store"}  # a page showing a secret is never kept
Text = Annotated[str, Form(max_length=500)]


class EndpointForm(BaseModel):
    """The fields an endpoint's forms send (no type ticked: every type)."""

    url: str = Field("", max_length=2000)
    description: str = Field("", max_length=500)
    event_types: list[str] = []
    alert_email: str = Field("", max_length=500)


class NewEndpoint(EndpointForm):
    partner_id: str = Field("", max_length=500)


class EndpointEdit(EndpointForm):
    disabled: str = Field("", max_length=500)


# A problem page: 404 for what is not found, 409 for a refusal, else 403.
refused = partial(answers.refused, conflict=DomainError)


def manages_webhooks(actor: Actor) -> bool:
    """Partners (their people and keys) and the admin have the page."""
    return actor.is_partner or actor.kind is ActorKind.ADMIN


def partner_name(services: ServicesDep, partner_id: UUID) -> str:
    try:
        return services.uow.load(Partner, partner_id).state.name
    except NotFound:
        return str(partner_id)


def previous_signs_until(services: ServicesDep, endpoint: WebhookEndpointDTO) -> datetime | None:
    """Until when an older secret signs beside the newest (None: only the newest signs)."""
    now = services.clock.now()
    still = [x.expires_at for x in endpoint.secrets[:-1] if x.expires_at and x.expires_at > now]
    return max(still, default=None)


def context_of(services: ServicesDep, session: Session, **values: object) -> dict[str, object]:
    actor = session.actor
    endpoints = services.webhooks.list(by=actor)
    admin = actor.kind is ActorKind.ADMIN
    return {
        **header(services, session),
        "endpoints": endpoints,
        "previous_until": {e.id: previous_signs_until(services, e) for e in endpoints},
        "admin": admin,
        "partners": {e.partner_id: partner_name(services, e.partner_id) for e in endpoints}
        if admin
        else {},
        "event_types": EVENT_TYPES,
        "values": {
            "url": "",
            "description": "",
            "event_types": [],
            "partner_id": "",
            "alert_email": "",
        },
        "errors": {},
        "note": None,
        "refusal": None,
        "secret": None,
    } | values


@router.get(PATH)
def webhooks_page(
    request: Request, services: ServicesDep, session: SignedIn, note: str = ""
) -> Response:
    if not manages_webhooks(session.actor):
        return refused(request, services, session, ONLY_PARTNERS)
    return render(request, PAGE, context_of(services, session, note=NOTES.get(note)))


@router.post(PATH)
def add_endpoint(
    request: Request,
    services: ServicesDep,
    session: CsrfChecked,
    form: Annotated[NewEndpoint, Form()],
) -> Response:
    if not manages_webhooks(session.actor):
        return refused(request, services, session, ONLY_PARTNERS)
    values = form.model_dump()
    try:
        owner = UUID(form.partner_id) if form.partner_id.strip() else None
    except ValueError:
        context = context_of(services, session, values=values)
        context["errors"] = {"partner_id": "a partner's id, like 3f1d…-…"}
        return render(request, PAGE, context, status_code=422)
    try:
        endpoint, secret = services.webhooks.register(
            url=form.url.strip(),
            event_types=form.event_types,
            description=form.description,
            alert_email=form.alert_email.strip() or None,
            partner_id=owner,
            by=session.actor,
        )
    except DomainError as domain:
        return form_refused(request, PAGE, context_of(services, session, values=values), domain)
    return shown_secret(request, services, session, endpoint, secret, "added")


def shown_secret(
    request: Request,
    services: ServicesDep,
    session: Session,
    endpoint: WebhookEndpointDTO,
    secret: str,
    what: str,
) -> Response:
    """The page with ``endpoint``'s new signing secret, this once (never cached)."""
    shown = {"endpoint": endpoint, "value": secret, "what": what}
    context = context_of(services, session, secret=shown)
    answer = render(request, PAGE, context, status_code=201 if what == "added" else 200)
    answer.headers.update(NO_STORE)
    return answer


@router.post(PATH + "/{endpoint_id}/secret")
def rotate_secret(
    request: Request, endpoint_id: UUID, services: ServicesDep, session: CsrfChecked
) -> Response:
    try:
        endpoint, secret = services.webhooks.rotate_secret(endpoint_id, by=session.actor)
    except DomainError as domain:
        return refused(request, services, session, domain)
    return shown_secret(request, services, session, endpoint, secret, "rotated")
