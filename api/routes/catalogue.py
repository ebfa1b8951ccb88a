"""The SKUs and add-ons customers may have."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import Principal, ServicesDep
from api.problems import responses
from domain.values import Catalogue

router = APIRouter(tags=["catalogue"])


@router.get("/v1/catalogue", response_model=Catalogue, responses=responses(401, 403))
def read_catalogue(by: Principal, services: ServicesDep) -> Catalogue:
    return services.settings.catalogue
