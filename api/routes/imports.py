"""The importer reports progress, failures and completion of a tenant's data import."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from api.deps import IDEMPOTENT, Command
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
def log_import_message(body: ImportLog, on: Command) -> ImportReceipt:
    outcome = on.customers.log_import_message(
        on.customer_id, level=body.level, message=body.message, by=on.by
    )
    return receipt(outcome, on.response)


@router.post("/failures", **OPTIONS)
def record_import_failure(body: ImportFailure, on: Command) -> ImportReceipt:
    outcome = on.customers.record_import_failure(
        on.customer_id, code=body.code, message=body.message, by=on.by
    )
    return receipt(outcome, on.response)


@router.post("/completion", **OPTIONS)
def complete_import(on: Command) -> ImportReceipt:
    """The import is done: the customer is onboarded and its trial starts now."""
    return receipt(on.customers.complete_import(on.customer_id, by=on.by), on.response)


def receipt(outcome: Outcome, response: Response) -> ImportReceipt:
    c = outcome.customer
    tagged(response, c.version)
    return ImportReceipt(
        id=c.id, version=c.version, stage=c.stage, import_status=c.onboarding.import_status
    )
