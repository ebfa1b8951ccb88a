"""The Actions menu's panel as an answer: each ticked customer's command run on its
own (a line for each, granted or refused), and the panel of an action over the
customers as they are now, with the status an htmx or a plain form post is given."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response

from api.console.panels import convert_rows, edit_rows, extend_rows, upgrade_rows
from api.console.selection import Result, Selected, readable, selected, status_of, viewer
from api.console.templates import is_htmx, render
from api.deps import ServicesDep
from application.console_sessions import Session
from application.dto import Outcome
from domain.errors import DomainError

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
