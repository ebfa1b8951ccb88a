"""One webhook endpoint in the console: its page (with its last deliveries and their
**Redeliver**), its form, enable or disable, retire the previous secret, and delete
it after a confirm step. The list and what the pages share are in
``api.console.webhooks``."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from api.console.answers import then_to
from api.console.people import header
from api.console.session import CsrfChecked, SignedIn
from api.console.templates import render
from api.console.webhooks import (
    BACK,
    DELIVERIES_SHOWN,
    EDIT_PAGE,
    NOTES,
    ONE_PAGE,
    ONLY_PARTNERS,
    PATH,
    EndpointEdit,
    Text,
    manages_webhooks,
    partner_name,
    previous_signs_until,
    refused,
)
from api.deps import ServicesDep
from application.console_sessions import Session
from application.webhook_endpoints import WebhookEndpointDTO
from domain.errors import DomainError, ValidationFailed
from domain.webhook_endpoint import EndpointChange
from domain.webhook_types import EVENT_TYPES

router = APIRouter(include_in_schema=False)


def then_or_refused(
    request: Request,
    services: ServicesDep,
    session: Session,
    to: str,
    command: Callable[[], object],
) -> Response:
    """``command``, then to ``to`` (303); the problem page if the domain refuses it."""
    return then_to(to, command, lambda domain: refused(request, services, session, domain))


def endpoint_or_refused(
    request: Request, services: ServicesDep, session: Session, endpoint_id: UUID
) -> WebhookEndpointDTO | Response:
    """The endpoint as ``session``'s actor sees it, or the problem page if refused."""
    try:
        return services.webhooks.get(endpoint_id, by=session.actor)
    except DomainError as domain:
        return refused(request, services, session, domain)


@router.get(PATH + "/{endpoint_id}")
def endpoint_page(
    request: Request, endpoint_id: UUID, services: ServicesDep, session: SignedIn, note: str = ""
) -> Response:
    if not manages_webhooks(session.actor):
        return refused(request, services, session, ONLY_PARTNERS)
    try:
        endpoint = services.webhooks.get(endpoint_id, by=session.actor)
        deliveries = services.deliveries.of_endpoint(
            endpoint_id, by=session.actor, limit=DELIVERIES_SHOWN
        )
    except DomainError as domain:
        return refused(request, services, session, domain)
    context = {
        **header(services, session),
        "endpoint": endpoint,
        "partner": partner_name(services, endpoint.partner_id),
        "deliveries": deliveries,
        "note": NOTES.get(note),
        "shown": DELIVERIES_SHOWN,
        "previous_until": previous_signs_until(services, endpoint),
    }
    return render(request, ONE_PAGE, context)


def edit_context(
    services: ServicesDep, session: Session, endpoint: WebhookEndpointDTO, **values: object
) -> dict[str, object]:
    shown = {
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": endpoint.event_types,
        "disabled": endpoint.disabled,
        "alert_email": endpoint.alert_email or "",
    }
    return {
        **header(services, session),
        "endpoint": endpoint,
        "event_types": EVENT_TYPES,
        "values": shown,
        "errors": {},
        "refusal": None,
    } | values


@router.get(PATH + "/{endpoint_id}/edit")
def edit_page(
    request: Request, endpoint_id: UUID, services: ServicesDep, session: SignedIn
) -> Response:
    """The endpoint's form: its URL, event types, description, and whether it is disabled."""
    if not manages_webhooks(session.actor):
        return refused(request, services, session, ONLY_PARTNERS)
    endpoint = endpoint_or_refused(request, services, session, endpoint_id)
    if isinstance(endpoint, Response):
        return endpoint
    return render(request, EDIT_PAGE, edit_context(services, session, endpoint))


@router.post(PATH + "/{endpoint_id}/edit")
def edit(
    request: Request,
    endpoint_id: UUID,
    services: ServicesDep,
    session: CsrfChecked,
    form: Annotated[EndpointEdit, Form()],
) -> Response:
    """Save the form: every field as sent (no type ticked: every type; the box not
    ticked: enabled; no alert address: none)."""
    if not manages_webhooks(session.actor):
        return refused(request, services, session, ONLY_PARTNERS)
    disabled = form.disabled == "yes"
    alert_email = form.alert_email.strip()
    change = EndpointChange(
        url=form.url.strip(),
        event_types=form.event_types,
        description=form.description,
        disabled=disabled,
        alert_email=alert_email or None,
        clear_alert_email=not alert_email,
    )
    try:
        services.webhooks.change(endpoint_id, change, by=session.actor)
    except ValidationFailed as invalid:
        try:
            endpoint = services.webhooks.get(endpoint_id, by=session.actor)
        except DomainError as domain:
            return refused(request, services, session, domain)
        sent = form.model_dump() | {"disabled": disabled}
        context = edit_context(services, session, endpoint, values=sent)
        context["errors"] = {invalid.field: invalid.message}
        return render(request, EDIT_PAGE, context, status_code=422)
    except DomainError as domain:
        return refused(request, services, session, domain)
    return RedirectResponse(f"{PATH}/{endpoint_id}?note=changed", status_code=303)


@router.post(PATH + "/{endpoint_id}/enabled")
def enable_or_disable(
    request: Request,
    endpoint_id: UUID,
    services: ServicesDep,
    session: CsrfChecked,
    enabled: Text = "",
) -> Response:
    if enabled not in ("yes", "no"):
        return refused(request, services, session, "Choose to enable or to disable it.")
    change = EndpointChange(disabled=enabled == "no")
    note = "enabled" if enabled == "yes" else "disabled"
    command = partial(services.webhooks.change, endpoint_id, change, by=session.actor)
    return then_or_refused(request, services, session, f"{PATH}?note={note}", command)


@router.post(PATH + "/{endpoint_id}/secret/retirement")
def retire_secret(
    request: Request,
    endpoint_id: UUID,
    services: ServicesDep,
    session: CsrfChecked,
    back: Text = "list",
) -> Response:
    """Only the newest secret signs from now on (the previous one before its 24 h)."""
    to = BACK.get(back, PATH).format(endpoint_id=endpoint_id)
    command = partial(services.webhooks.retire_secrets, endpoint_id, by=session.actor)
    return then_or_refused(request, services, session, f"{to}?note=retired", command)


@router.get(PATH + "/{endpoint_id}/deletion")
def confirm_deletion(
    request: Request, endpoint_id: UUID, services: ServicesDep, session: SignedIn
) -> Response:
    """The confirm step: what would be deleted, and the button that deletes it."""
    endpoint = endpoint_or_refused(request, services, session, endpoint_id)
    if isinstance(endpoint, Response):
        return endpoint
    context = {**header(services, session), "endpoint": endpoint}
    return render(request, "webhooks/delete.html", context)


@router.post(PATH + "/{endpoint_id}/deletion")
def delete(
    request: Request, endpoint_id: UUID, services: ServicesDep, session: CsrfChecked
) -> Response:
    command = partial(services.webhooks.delete, endpoint_id, by=session.actor)
    return then_or_refused(request, services, session, f"{PATH}?note=deleted", command)


@router.post(PATH + "/deliveries/{delivery_id}/redelivery")
def redeliver(
    request: Request, delivery_id: str, services: ServicesDep, session: CsrfChecked
) -> Response:
    try:
        delivery = services.deliveries.redeliver(delivery_id, by=session.actor)
    except DomainError as domain:
        return refused(request, services, session, domain)
    services.webhook_workers.wake()
    return RedirectResponse(
        f"{PATH}/{delivery.endpoint_id}?note=redelivered#deliveries", status_code=303
    )
