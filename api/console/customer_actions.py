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

from api.console.panels import convert_rows, edit_rows, extend_rows, upgrade_rows
from api.console.selection import (
    Ids,
    Result,
    Selected,
    Targets,
    readable,
    selected,
    status_of,
    targets,
    viewer,
)
from api.console.session import CsrfChecked, SignedIn
from api.console.templates import is_htmx, render, utc
from api.deps import ServicesDep
from application.console_sessions import Session
from application.dto import Outcome
from domain.errors import DomainError, ValidationFailed

router = APIRouter(include_in_schema=False)
BASE = "/console/customers/actions"
PAGE = "customers/action.html"
CHANGED = "customers-changed"  # the Customers tab reloads its list on this event
Action = Literal["extend-trial", "upgrade", "convert", "edit"]
TITLES = {
    "extend-trial": "+ Extend trial",
    "upgrade": "Manage subscription upgrade",
    "convert": "Convert to production account",
    "edit": "Edit SKUs and expiration dates",
}
NOTHING_TICKED = "Select one or more customers in the list first (the boxes on the left)."
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
    pairs = targets(target)
    results, errors = each(
        services,
        session,
        pairs,
        lambda cid, version: services.customers.extend_trial(
            cid, by=session.actor, expected_version=version
        ),
        lambda o: f"Trial extended: it now ends at {utc(o.customer.trial_ends_at)}.",
    )
    ids = [cid for cid, _ in pairs]
    return answer(request, services, session, "extend-trial", ids, results, errors)


@router.post(BASE + "/upgrade")
def manage_upgrade(
    request: Request,
    services: ServicesDep,
    session: CsrfChecked,
    target: Targets = [],  # noqa: B006
    enabled: Annotated[Literal["true", "false"], Form()] = "false",
) -> Response:
    on = enabled == "true"
    pairs = targets(target)
    results, errors = each(
        services,
        session,
        pairs,
        lambda cid, version: services.customers.set_automatic_upgrade(
            cid, enabled=on, by=session.actor, expected_version=version
        ),
        lambda o: upgrade_message(o, on),
    )
    ids = [cid for cid, _ in pairs]
    return answer(request, services, session, "upgrade", ids, results, errors)


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
    results, errors = each(
        services,
        session,
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
    )
    return answer(request, services, session, "convert", form.shown, results, errors)


@router.post(BASE + "/edit")
def edit(
    request: Request, services: ServicesDep, session: CsrfChecked, form: Subscription
) -> Response:
    typed = form.expiration_date
    results, errors = each(
        services,
        session,
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
    )
    return answer(request, services, session, "edit", form.shown, results, errors)


def each(
    services: ServicesDep,
    session: Session,
    pairs: list[tuple[UUID, int]],
    command: Callable[[UUID, int], Outcome],
    granted: Callable[[Outcome], str],
) -> tuple[list[Result], list[DomainError]]:
    """``command`` on each customer on its own; a line for each, granted or refused."""
    results, errors = [], []
    for cid, version in pairs:
        name = organization(services, session, cid)
        try:
            outcome = command(cid, version)
            services.sessions.wrote(session, outcome.position)  # its lists reflect it
        except DomainError as refused:
            errors.append(refused)
            results.append(Result(name, granted=False, message=readable(refused)))
            continue
        results.append(Result(name, granted=True, message=granted(outcome)))
    return results, errors


def organization(services: ServicesDep, session: Session, cid: UUID) -> str:
    found = selected(services, session, [cid])
    return found[0].dto.organization_name if found else str(cid)


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


def answer(
    request: Request,
    services: ServicesDep,
    session: Session,
    action: Action,
    ids: list[UUID],
    results: list[Result],
    errors: list[DomainError] | None = None,
) -> Response:
    """The panel of ``action`` over ``ids`` as they are now, under ``results``."""
    items = selected(services, session, ids)
    context = {**viewer(services, session), **panel_context(services, session, action, items)}
    context["results"] = results
    errors = errors or []
    htmx = is_htmx(request)
    status = 200 if htmx or len(errors) < len(results) or not errors else status_of(errors[0])
    response = render(request, PAGE, context, status_code=status, block="panel" if htmx else None)
    if len(errors) < len(results):
        response.headers["HX-Trigger"] = CHANGED
    return response


def panel_context(
    services: ServicesDep, session: Session, action: Action, items: list[Selected]
) -> dict[str, object]:
    policy = services.queries.policy
    rows: list[object]
    if action == "extend-trial":
        rows = list(extend_rows(items, policy))
    elif action == "upgrade":
        rows = list(upgrade_rows(items, policy))
    elif action == "convert":
        rows = list(convert_rows(items, policy, services.clock.now().date()))
    else:
        rows = list(edit_rows(items, session.actor))
    catalogue = services.settings.catalogue
    return {
        "action": action,
        "title": TITLES[action],
        "base": BASE,
        "policy_days": policy.extension_days,
        "rows": rows,
        "any_allowed": any(getattr(row, "allowed", False) for row in rows),
        "ids": [item.dto.id for item in items],
        "nothing_ticked": NOTHING_TICKED if not items else None,
        "skus": catalogue.skus,
        "addon_items": catalogue.addons,
    }
