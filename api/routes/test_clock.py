"""The settable clock: always described, answering only with ``TENANTRY_TEST_CLOCK=1``.

Without it each route answers ``404`` with a problem that says how to turn it on, so the
OpenAPI document is the same whatever the server's settings."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends

from api.deps import IDEMPOTENT, AdminPrincipal, ServicesDep
from api.problems import responses
from api.representations import Now
from api.schemas import Advance
from application.clock import SettableClock
from application.errors import Busy, NotFound
from domain.errors import InvalidState

OFF = "the test clock is off: start the server with TENANTRY_TEST_CLOCK=1 to use it"


async def test_clock_on(by: AdminPrincipal, services: ServicesDep) -> None:
    """After the caller is known to be the admin: others learn nothing of the setting."""
    if not services.settings.test_clock:
        raise NotFound(OFF)


router = APIRouter(
    prefix="/v1/test-clock", tags=["test clock"], dependencies=[Depends(test_clock_on)]
)


@router.get("", response_model=Now, responses=responses(401, 403, 404))
def read_test_clock(by: AdminPrincipal, services: ServicesDep) -> Now:
    return Now(now=services.clock.now())


@router.post(
    "/advance",
    response_model=Now,
    responses=responses(401, 403, 404, 409, 413, 422, 503),
    dependencies=IDEMPOTENT,
)
def advance_test_clock(body: Advance, by: AdminPrincipal, services: ServicesDep) -> Now:
    """Move time forward through every deadline on the way, each processed at its own
    instant; answers once what fell due is processed and the views caught up."""
    if not isinstance(services.clock, SettableClock):
        raise InvalidState("advance the clock", "running on the system clock")
    delta = timedelta(days=body.days, hours=body.hours, seconds=body.seconds)
    if not services.advance_clock(delta):
        stopped = services.clock.now().isoformat().replace("+00:00", "Z")
        raise Busy(
            f"time moved to {stopped} only: what fell due then is not all done yet "
            "(is the mail server up?); advance again to go on"
        )
    return Now(now=services.clock.now())
