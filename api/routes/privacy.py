"""A customer's personal data: erasing it, and what is held about it (subject access)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import IDEMPOTENT, SECRET, Command
from api.headers import ETAG, answers
from api.problems import responses
from api.schemas import Erasure
from application.dto import CustomerDTO
from application.privacy import PersonalData

router = APIRouter(prefix="/v1/customers/{customer_id}", tags=["privacy"])


@router.post(
    "/erasure",
    response_model=CustomerDTO,
    responses={**responses(401, 403, 404, 409, 413, 422, 503), **answers(200, ETAG)},
    dependencies=IDEMPOTENT,
)
def erase_personal_data(body: Erasure, on: Command) -> CustomerDTO:
    """*Erase personal data* (the owner or the admin): records who, when and why, and
    deletes the customer's data key. From then on `notification_email` and the
    importer's messages read as `null` and `erased` as `true` everywhere: the customer,
    its history and past states, the lists, the events feed, webhooks, the console and
    the audit export; no email is sent to it again. Everything else stays. Erasing
    twice answers `409` (`invalid-state`)."""
    outcome = on.services.privacy.erase(on.customer_id, reason=body.reason, by=on.by)
    return on.described(outcome)


@router.get(
    "/personal-data",
    response_model=PersonalData,
    responses=responses(401, 403, 404, 422),
    dependencies=SECRET,
)
def read_personal_data(on: Command) -> PersonalData:
    """*Subject access* (the owner, auditors and the admin): every piece of personal
    data held about the customer and where: its events (by version and field), the
    views (table and column), the emails still to send, and the answers kept for
    Idempotency-Keys (sealed: counted, not shown)."""
    return on.services.privacy.held(on.customer_id, by=on.by)
