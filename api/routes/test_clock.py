"""The settable clock, mounted only with ``TENANTRY_TEST_CLOCK=1``."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter

from api.deps import AdminPrincipal, ServicesDep
from api.problems import responses
from api.representations import Now
from api.schemas import Advance
from application.clock import SettableClock
from application.errors import Busy
from domain.errors import InvalidState

router = APIRouter(prefix="/v1/test-clock", tags=["test clock"])


@router.get("", response_model=Now, responses=responses(401, 403))
def read_test_clock(by: AdminPrincipal, services: ServicesDep) -> Now:
    return Now(now=services.clock.now())


@router.post("/advance", response_model=Now, responses=responses(401, 403, 409, 413, 422))
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
