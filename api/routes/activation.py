"""Activation links: the owner copies or reissues one; the link holder activates."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from api.deps import IDEMPOTENT, NO_STORE, SECRET, ConditionalCommand, Principal, ServicesDep
from api.headers import ETAG, answers
from api.pages import page, prefers_html
from api.problems import MEDIA_TYPE, responses
from api.representations import Activation, Link, tagged
from application.activation import LinkCheck

router = APIRouter(tags=["activation"])
Token = Annotated[str, Path(max_length=200)]
HTML: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {"schema": {"type": "string"}}}}
}


def for_browsers(problems: dict[int | str, dict[str, Any]]) -> dict[int | str, dict[str, Any]]:
    """Problem responses that a browser gets as a page."""
    return {
        code: {
            "description": answer["description"],
            "content": {
                MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}},
                "text/html": {"schema": {"type": "string"}},
            },
        }
        for code, answer in problems.items()
    }


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
    responses={**responses(401, 403, 404, 409, 412, 413, 422, 503), **answers(201, ETAG)},
    dependencies=[*IDEMPOTENT, *SECRET],
)
def reissue_activation_link(on: ConditionalCommand) -> Link:
    """A new link; the previous one stops working."""
    outcome = on.customers.reissue_activation_link(
        on.customer_id, by=on.by, expected_version=on.version
    )
    tagged(on.response, outcome.customer.version)
    link = on.services.activation.current(on.customer_id, by=on.by)
    return Link(url=link.url, expires_at=link.expires_at)


@router.get(
    "/activate/{token}",
    response_class=HTMLResponse,
    responses={**HTML, **for_browsers(responses(404, 410, 422))},
    dependencies=SECRET,
)
def confirm_activation(token: Token, services: ServicesDep) -> HTMLResponse:
    """The page behind the emailed link: it only asks to confirm (mail scanners that
    prefetch links activate nothing)."""
    check = services.activation.check(token)
    if check.activated_at is not None:
        return secret_page(f"{check.organization_name} is activated", activated(check))
    return secret_page(
        f"Activate the Tenantry tenant of {check.organization_name}?",
        f"{check.partner_name} set up this tenant for {check.organization_name}.",
        f"This link is valid until {moment(check.expires_at)}.",
        form=ACTIVATE_FORM,
    )


@router.post(
    "/activate/{token}",
    response_model=Activation,
    responses={**HTML, **for_browsers(responses(404, 409, 410, 413, 422, 503))},
    dependencies=SECRET,
)
def activate(token: Token, services: ServicesDep, request: Request) -> Activation | HTMLResponse:
    """Activate the tenant; activating again changes nothing. Answers JSON, or a page
    when the request's ``Accept`` prefers `text/html` (a browser posting the form)."""
    check = services.activation.check(token)
    outcome = services.customers.activate(check.customer_id, link_version=check.link_version)
    activated_at = outcome.customer.onboarding.activated_at
    assert activated_at is not None
    if prefers_html(request.headers.get("accept", "")):
        return secret_page(f"{check.organization_name} is activated. Thank you.", activated(check))
    return Activation(
        customer_id=check.customer_id,
        organization_name=check.organization_name,
        activated_at=activated_at,
    )


ACTIVATE_FORM = '<form method="post"><button type="submit">Activate</button></form>'


def activated(check: LinkCheck) -> str:
    return f"Your partner {check.partner_name} takes it from here; you can close this page."


def moment(at: datetime) -> str:
    return f"{at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def secret_page(title: str, *paragraphs: str, form: str = "") -> HTMLResponse:
    """A page behind the link's secret URL: never cached (a returned response does not
    take the headers the ``SECRET`` dependency sets)."""
    answer = page(title, *paragraphs, form=form)
    answer.headers["Cache-Control"] = NO_STORE
    return answer
