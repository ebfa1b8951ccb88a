"""Activation links: the owner copies or reissues one; the link holder activates."""

from __future__ import annotations

from html import escape
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Path, Response
from fastapi.responses import HTMLResponse

from api.deps import IDEMPOTENT, NO_STORE, SECRET, ExpectedVersion, Principal, ServicesDep
from api.problems import responses
from api.representations import Activation, Link, tagged

router = APIRouter(tags=["activation"])
Token = Annotated[str, Path(max_length=200)]
HTML: dict[int | str, dict[str, Any]] = {200: {"content": {"text/html": {}}}}


@router.get(
    "/v1/customers/{customer_id}/activation-link",
    response_model=Link,
    responses=responses(401, 403, 404, 422),
    dependencies=SECRET,
)
def read_activation_link(customer_id: UUID, by: Principal, services: ServicesDep) -> Link:
    link = services.activation.current(customer_id, by=by)
    return Link(url=link.url, expires_at=link.expires_at)


@router.post(
    "/v1/customers/{customer_id}/activation-link",
    status_code=201,
    response_model=Link,
    responses=responses(401, 403, 404, 409, 412, 413, 422, 503),
    dependencies=[*IDEMPOTENT, *SECRET],
)
def reissue_activation_link(
    customer_id: UUID,
    by: Principal,
    services: ServicesDep,
    version: ExpectedVersion,
    response: Response,
) -> Link:
    """A new link; the previous one stops working."""
    outcome = services.customers.reissue_activation_link(
        customer_id, by=by, expected_version=version
    )
    tagged(response, outcome.customer.version)
    link = services.activation.current(customer_id, by=by)
    return Link(url=link.url, expires_at=link.expires_at)


@router.get(
    "/activate/{token}",
    response_class=HTMLResponse,
    responses={**HTML, **responses(404, 410, 422)},
    dependencies=SECRET,
)
def confirm_activation(token: Token, services: ServicesDep) -> HTMLResponse:
    """The page behind the emailed link: it only asks to confirm (mail scanners that
    prefetch links activate nothing)."""
    check = services.activation.check(token)
    name = escape(check.organization_name)
    if check.activated_at is not None:
        return page(f"{name} is already activated.", form=False)
    return page(f"Activate the Tenantry tenant of {name}?", form=True)


@router.post(
    "/activate/{token}",
    response_model=Activation,
    responses={**HTML, **responses(404, 409, 410, 413, 422, 503)},
    dependencies=SECRET,
)
def activate(
    token: Token, services: ServicesDep, accept: Annotated[str, Header(max_length=1000)] = ""
) -> Activation | HTMLResponse:
    """Activate the tenant; activating again changes nothing."""
    check = services.activation.check(token)
    outcome = services.customers.activate(check.customer_id, link_version=check.link_version)
    activated_at = outcome.customer.onboarding.activated_at
    assert activated_at is not None
    if "text/html" in accept:
        return page(f"{escape(check.organization_name)} is activated. Thank you.", form=False)
    return Activation(
        customer_id=check.customer_id,
        organization_name=check.organization_name,
        activated_at=activated_at,
    )


def page(message: str, *, form: bool) -> HTMLResponse:
    button = '<form method="post"><button type="submit">Activate</button></form>' if form else ""
    return HTMLResponse(
        "<!doctype html><html><head><meta charset='utf-8'><title>Tenantry activation</title>"
        f"</head><body><h1>{message}</h1>{button}</body></html>",
        headers={"Cache-Control": NO_STORE},  # behind the link's secret URL: never cached
    )
