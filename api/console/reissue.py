"""**Reissue link** on a pending customer: a new activation link (the old one stops
working), by the same command the API runs. A refusal is the API's problem, as a page."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from api.console.session import CsrfChecked
from api.deps import ServicesDep

router = APIRouter(include_in_schema=False)
BACK = "/console/customers?tab=pending"


@router.post("/console/customers/{customer_id}/activation-link")
def reissue_link(customer_id: UUID, services: ServicesDep, session: CsrfChecked) -> Response:
    services.customers.reissue_activation_link(customer_id, by=session.actor)
    return RedirectResponse(BACK, status_code=303)
