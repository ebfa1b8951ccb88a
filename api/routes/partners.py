"""The admin registers partners, changes their status, issues API keys and invites the
partners' first users; partners are listed, and keys listed and revoked (the admin any,
a partner its own)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response

from api.deps import IDEMPOTENT, SECRET, AdminPrincipal, Principal, ServicesDep
from api.headers import LOCATION, answers
from api.problems import responses
from api.representations import (
    ApiKey,
    KeyItem,
    KeyList,
    PartnerItem,
    PartnerPage,
    PartnerWithKey,
    ServiceKeyItem,
    ServiceKeyList,
)
from api.routes.customers import Cursor, Limit
from api.schemas import KeyId, NewPartner, NewServiceKey, NewUser, PartnerPatch
from application.dto import PartnerDTO
from application.partners import IssuedKey, parse_key
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


@router.get("/v1/partners", response_model=PartnerPage, responses=responses(401, 403, 422, 503))
def list_partners(
    by: Principal, services: ServicesDep, limit: Limit = 50, cursor: Cursor = None
) -> PartnerPage:
    """Partners, first registered first: every partner for the admin and auditors, its
    MSPs for a distributor, itself for an MSP; each with its number of customers."""
    page = services.partners.list_partners(by=by, limit=limit, cursor=cursor)
    items = [PartnerItem(**r.partner.model_dump(), customers=r.customers) for r in page.items]
    return PartnerPage(items=items, next_cursor=page.next_cursor)


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


@router.get(
    "/v1/partners/{partner_id}/api-keys",
    response_model=KeyList,
    responses=responses(401, 403, 404, 422, 503),
)
def list_partner_keys(partner_id: UUID, by: Principal, services: ServicesDep) -> KeyList:
    """The partner's keys, without their secrets: the admin's, or the partner's own."""
    keys = services.keys.partner_keys(partner_id, by=by)
    return KeyList(items=[KeyItem.model_validate(asdict(k)) for k in keys])


@router.delete(
    "/v1/partners/{partner_id}/api-keys/{key_id}",
    status_code=204,
    responses=WRITE,
    dependencies=IDEMPOTENT,
)
def revoke_partner_key(
    partner_id: UUID, key_id: KeyId, by: Principal, services: ServicesDep
) -> Response:
    """Revoke one of the partner's keys: every process refuses it within a second."""
    services.keys.revoke_partner_key(partner_id, key_id, by=by)
    return Response(status_code=204)


@router.get("/v1/service-keys", response_model=ServiceKeyList, responses=responses(401, 403, 503))
def list_service_keys(by: AdminPrincipal, services: ServicesDep) -> ServiceKeyList:
    """The importers' and auditors' keys, without their secrets."""
    items = [
        ServiceKeyItem.model_validate({**asdict(k), "role": k.holder_kind, "name": k.holder_name})
        for k in services.keys.service_keys(by=by)
    ]
    return ServiceKeyList(items=items)


@router.delete(
    "/v1/service-keys/{key_id}", status_code=204, responses=WRITE, dependencies=IDEMPOTENT
)
def revoke_service_key(key_id: KeyId, by: AdminPrincipal, services: ServicesDep) -> Response:
    """Revoke a service account's key: every process refuses it within a second."""
    services.keys.revoke_service_key(key_id, by=by)
    return Response(status_code=204)


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
    parsed = parse_key(issued.api_key)
    assert parsed is not None  # a key this service formatted
    return ApiKey(
        holder_id=issued.holder_id,
        api_key=issued.api_key,
        id=parsed.key_id,
        prefix="_".join(issued.api_key.split("_", 3)[:3]),  # the secret may hold "_"
    )
