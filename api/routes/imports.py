"""The importer reports progress, failures and completion of a tenant's data import."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from api.deps import IDEMPOTENT, Principal, ServicesDep
from api.headers import ETAG, answers
from api.problems import responses
from api.representations import ImportReceipt, tagged
from api.schemas import ImportFailure, ImportLog
from application.dto import Outcome

router = APIRouter(prefix="/v1/customers/{customer_id}/import", tags=["import"])
OPTIONS: dict[str, Any] = {
    "response_model": ImportReceipt,
    "responses": {**responses(401, 403, 404, 409, 413, 422, 503), **answers(200, ETAG)},
    "dependencies": IDEMPOTENT,
}


@router.post("/log", **OPTIONS)
def log_import_message(
    customer_id: UUID, body: ImportLog, by: Principal, services: ServicesDep, response: Response
) -> ImportReceipt:
    outcome = services.customers.log_import_message(
        customer_id, level=body.level, message=body.message, by=by
    )
    return receipt(outcome, response)


@router.post("/failures", **OPTIONS)
def record_import_failure(
    customer_id: UUID, body: ImportFailure, by: Principal, services: ServicesDep, response: Response
) -> ImportReceipt:
    outcome = services.customers.record_import_failure(
        customer_id, code=body.code, message=body.message, by=by
    )
    return receipt(outcome, response)


@router.post("/completion", **OPTIONS)
def complete_import(
    customer_id: UUID, by: Principal, services: ServicesDep, response: Response
) -> ImportReceipt:
    """The import is done: the customer is onboarded and its trial starts now."""
    return receipt(services.customers.complete_import(customer_id, by=by), response)


def receipt(outcome: Outcome, response: Response) -> ImportReceipt:
    c = outcome.customer
    tagged(response, c.version)
    return ImportReceipt(
        id=c.id, version=c.version, stage=c.stage, import_status=c.onboarding.import_status
    )
