"""The admin registers partners, changes their status, issues API keys and invites
the partners' first users."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response

from api.deps import IDEMPOTENT, SECRET, AdminPrincipal, ServicesDep
from api.headers import LOCATION, answers
from api.problems import responses
from api.representations import ApiKey, PartnerWithKey
from api.schemas import NewPartner, NewServiceKey, NewUser, PartnerPatch
from application.partners import IssuedKey, PartnerDTO
from application.users import UserDTO

router = APIRouter(tags=["partners"])
WRITE = responses(401, 403, 404, 413, 422, 503)
KEY_SHOWN: dict[str, Any] = {
    "status_code": 201,
    "response_model": ApiKey,
    "responses": WRITE,
    "dependencies": [*IDEMPOTENT, *SECRET],
}


@router.post(
    "/v1/partners",
    status_code=201,
    response_model=PartnerWithKey,
    responses={**WRITE, **answers(201, LOCATION)},
    dependencies=[*IDEMPOTENT, *SECRET],
)
def register_partner(
    body: NewPartner,
    by: AdminPrincipal,
    services: ServicesDep,
    request: Request,
    response: Response,
) -> PartnerWithKey:
    """Register an MSP or a distributor; its first API key is shown only here."""
    partner, api_key = services.partners.register(
        name=body.name,
        kind=body.kind,
        status=body.status,
        distributor_id=body.distributor_id,
        by=by,
    )
    response.headers["Location"] = str(request.url_for("read_partner", partner_id=partner.id))
    return PartnerWithKey(**partner.model_dump(), api_key=api_key)


@router.get(
    "/v1/partners/{partner_id}", response_model=PartnerDTO, responses=responses(401, 403, 404, 422)
)
def read_partner(partner_id: UUID, by: AdminPrincipal, services: ServicesDep) -> PartnerDTO:
    return services.partners.get(partner_id, by=by)


@router.patch(
    "/v1/partners/{partner_id}", response_model=PartnerDTO, responses=WRITE, dependencies=IDEMPOTENT
)
def change_partner_status(
    partner_id: UUID, body: PartnerPatch, by: AdminPrincipal, services: ServicesDep
) -> PartnerDTO:
    return services.partners.change_status(partner_id, status=body.status, by=by)


@router.post("/v1/partners/{partner_id}/api-keys", **KEY_SHOWN)
def issue_partner_key(partner_id: UUID, by: AdminPrincipal, services: ServicesDep) -> ApiKey:
    """Another API key for the partner, shown only here."""
    return shown(services.partners.issue_api_key(partner_id, by=by))


@router.post("/v1/service-keys", **KEY_SHOWN)
def issue_service_key(body: NewServiceKey, by: AdminPrincipal, services: ServicesDep) -> ApiKey:
    """A service account (importer or auditor) and its API key, shown only here."""
    return shown(services.partners.register_service_account(role=body.role, name=body.name, by=by))


@router.post(
    "/v1/partners/{partner_id}/users",
    status_code=201,
    response_model=UserDTO,
    responses=WRITE,
    dependencies=IDEMPOTENT,
)
def invite_user(
    partner_id: UUID, body: NewUser, by: AdminPrincipal, services: ServicesDep
) -> UserDTO:
    """Invite a person as a user of the partner: they get a one-time sign-in link by
    email (valid 15 minutes; another one from the console's sign-in page)."""
    return services.users.invite(
        partner_id=partner_id, email=body.email, name=body.name, role=body.role, by=by
    ).user


def shown(issued: IssuedKey) -> ApiKey:
    return ApiKey(holder_id=issued.holder_id, api_key=issued.api_key)
