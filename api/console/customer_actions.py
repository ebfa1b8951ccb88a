"""The Customers tab's **Actions** menu: a panel per action over the ticked customers,
and its **Apply** (a POST with the CSRF token and each customer's version, refused as
stale like the API's ``If-Match``). Each customer's command is the API's own, run on
its own: it lands whole or not at all, and the panel gives one line per customer.

An htmx request gets the panel alone, refusals included (answered 200 so htmx swaps
it in); a plain form post gets the whole page, with the refusal's status."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from api.console.action_answers import BASE, Action, answer, each
from api.console.selection import Ids, Targets, targets
from api.console.session import CsrfChecked, SignedIn
from api.console.templates import utc
from api.deps import ServicesDep
from application.console_sessions import Session
from application.dto import Outcome
from domain.errors import ValidationFailed

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=100)]
Addons = Annotated[list[str], Form(max_length=50)]
Kept = Annotated[list[UUID], Form(alias="customer", max_length=100)]


@router.get(BASE + "/{action}")
def panel(
    action: Action,
    request: Request,
    services: ServicesDep,
    session: SignedIn,
    customer: Ids = [],  # noqa: B006
) -> Response:
    return answer(request, services, session, action, customer, [])


@router.post(BASE + "/extend-trial")
def extend_trial(
    request: Request,
    services: ServicesDep,
    session: CsrfChecked,
    target: Targets = [],  # noqa: B006
) -> Response:
    return apply(
        request,
        services,
        session,
        "extend-trial",
        targets(target),
        lambda cid, version: services.customers.extend_trial(
            cid, by=session.actor, expected_version=version
        ),
        lambda o: f"Trial extended: it now ends at {utc(o.customer.trial_ends_at)}.",
    )


@router.post(BASE + "/upgrade")
def manage_upgrade(
    request: Request,
    services: ServicesDep,
    session: CsrfChecked,
    target: Targets = [],  # noqa: B006
    enabled: Annotated[Literal["true", "false"], Form()] = "false",
) -> Response:
    on = enabled == "true"
    return apply(
        request,
        services,
        session,
        "upgrade",
        targets(target),
        lambda cid, version: services.customers.set_automatic_upgrade(
            cid, enabled=on, by=session.actor, expected_version=version
        ),
        lambda o: upgrade_message(o, on),
    )


class SubscriptionForm:
    """What the Convert and Edit panels send: the ticked customer (one), the customers
    the panel showed, and the subscription typed."""

    def __init__(
        self,
        target: Targets = [],  # noqa: B006
        customer: Kept = [],  # noqa: B006
        expiration_date: Text = "",
        sku: Text = "",
        addons: Addons = [],  # noqa: B006
    ) -> None:
        self.target, self.shown = targets(target)[:1], customer
        self.expiration_date, self.sku, self.addons = expiration_date, sku or None, addons


Subscription = Annotated[SubscriptionForm, Depends()]


@router.post(BASE + "/convert")
def convert(
    request: Request, services: ServicesDep, session: CsrfChecked, form: Subscription
) -> Response:
    return apply(
        request,
        services,
        session,
        "convert",
        form.target,
        lambda cid, version: services.customers.convert_to_production(
            cid,
            expiration_date=a_date(form.expiration_date),
            sku=form.sku,
            addons=form.addons,
            by=session.actor,
            expected_version=version,
        ),
        lambda o: (
            "Converted to production: the subscription expires on "
            f"{utc(o.customer.expiration_date)} (UTC)."
        ),
        form.shown,
    )


@router.post(BASE + "/edit")
def edit(
    request: Request, services: ServicesDep, session: CsrfChecked, form: Subscription
) -> Response:
    typed = form.expiration_date
    return apply(
        request,
        services,
        session,
        "edit",
        form.target,
        lambda cid, version: services.customers.change_subscription(
            cid,
            sku=form.sku,
            addons=form.addons,
            expiration_date=a_date(typed) if typed else None,
            by=session.actor,
            expected_version=version,
        ),
        subscription_message,
        form.shown,
    )


def apply(
    request: Request,
    services: ServicesDep,
    session: Session,
    action: Action,
    pairs: list[tuple[UUID, int]],
    command: Callable[[UUID, int], Outcome],
    granted: Callable[[Outcome], str],
    shown: list[UUID] | None = None,
) -> Response:
    """``command`` on each ticked customer; the panel over ``shown`` (else the ticked)."""
    results, errors = each(services, session, pairs, command, granted)
    ids = [cid for cid, _ in pairs] if shown is None else shown
    return answer(request, services, session, action, ids, results, errors)


def a_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationFailed("expiration_date", "give a date such as 2027-01-31") from None


def upgrade_message(outcome: Outcome, on: bool) -> str:
    dto = outcome.customer
    if on:
        return f"Automatic upgrade released: it upgrades to production at {utc(dto.trial_ends_at)}."
    return f"Automatic upgrade held: the trial expires at {utc(dto.trial_ends_at)} instead."


def subscription_message(outcome: Outcome) -> str:
    dto = outcome.customer
    expires = f", expires on {utc(dto.expiration_date)} (UTC)" if dto.expiration_date else ""
    addons = ", ".join(dto.addons) or "none"
    return f"Subscription saved: SKU {dto.sku}, add-ons {addons}{expires}."
