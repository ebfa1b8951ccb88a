"""**Add customer**: the form, and its **Apply** (a POST with the session's CSRF token).

Each field is checked by the domain's own rule, so every error shows next to its field
at once; then the same command the API runs adds the customer."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field
from starlette.responses import Response

from api.console.people import header
from api.console.selection import status_of
from api.console.session import CsrfChecked, SignedIn
from api.console.templates import render
from api.deps import ServicesDep
from api.policy import PARTNERS
from application.console_sessions import Session
from domain.email_address import check_email
from domain.errors import DomainError, ValidationFailed
from domain.rules import check_addons, check_organization_name, check_sku

router = APIRouter(include_in_schema=False)
PATH = "/console/customers/new"
PAGE = "customers/new.html"
ONLY_PARTNERS = "Customers are added by their partner: sign in with the partner's key."


class NewCustomer(BaseModel):
    organization_name: str = Field("", max_length=1000)
    notification_email: str = Field("", max_length=1000)
    sku: str = Field("", max_length=1000)
    addons: list[str] = Field([], max_length=50)


def form_context(services: ServicesDep, session: Session, **values: object) -> dict[str, object]:
    return {
        **header(services, session),
        "skus": services.settings.catalogue.skus,
        "addon_items": services.settings.catalogue.addons,
        "values": {"organization_name": "", "notification_email": "", "sku": "", "addons": []}
        | values,
        "errors": {},
        "refusal": None,
    }


def refused(request: Request, services: ServicesDep, session: Session) -> Response | None:
    if session.actor.kind in PARTNERS:
        return None
    context = {
        **header(services, session),
        "title": "Forbidden",
        "detail": ONLY_PARTNERS,
    }
    return render(request, "problem.html", context, status_code=403)


@router.get(PATH)
def add_customer_form(request: Request, services: ServicesDep, session: SignedIn) -> Response:
    return refused(request, services, session) or render(
        request, PAGE, form_context(services, session)
    )


@router.post(PATH)
def add_customer(
    request: Request,
    services: ServicesDep,
    session: CsrfChecked,
    form: Annotated[NewCustomer, Form()],
) -> Response:
    denied = refused(request, services, session)
    if denied is not None:
        return denied
    values = form.model_dump()
    context = form_context(services, session, **values)
    catalogue = services.settings.catalogue
    errors: dict[str, str] = {}
    for check in (
        lambda: check_organization_name(form.organization_name),
        lambda: check_email(form.notification_email),
        lambda: check_sku(form.sku, catalogue) if form.sku else fail("sku", "choose one SKU"),
        lambda: check_addons(form.addons, catalogue),
    ):
        try:
            check()
        except ValidationFailed as invalid:
            errors.setdefault(invalid.field, invalid.message)
    if not errors:
        try:
            outcome = services.customers.add(
                partner_id=UUID(session.actor.id),
                organization_name=form.organization_name,
                notification_email=form.notification_email,
                sku=form.sku,
                addons=form.addons,
                by=session.actor,
            )
            services.sessions.wrote(session, outcome.position)
        except ValidationFailed as invalid:
            errors[invalid.field] = invalid.message
        except DomainError as domain:
            context["refusal"] = domain.detail
            return render(request, PAGE, context, status_code=status_of(domain))
    if errors:
        context["errors"] = errors
        return render(request, PAGE, context, status_code=422)
    return RedirectResponse("/console/customers?tab=pending", status_code=303)


def fail(field: str, message: str) -> None:
    raise ValidationFailed(field, message)
