"""Dependencies as ``Annotated`` aliases, so a route's signature reads like its spec."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Header, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.bootstrap import Services
from api.handlers import Unauthorized
from api.policy import ALLOWED
from api.representations import tagged
from application.dto import CustomerDTO, Outcome
from application.errors import NO_VERSION
from domain.errors import Forbidden
from domain.values import Actor, ActorKind

bearer = HTTPBearer(auto_error=False, description="a partner, service or admin API key")


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def principal(
    request: Request,
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    """The caller, if its key is valid and its kind may call this route (api/policy.py).

    Async, so a remembered key costs no hop to a worker thread; verifying a key that
    is not remembered reads the database, in a worker thread."""
    route = request.scope["route"].name
    admin_off = not services.auth.admin_token and ActorKind.ADMIN in ALLOWED[route]
    if credentials is None:
        raise Unauthorized(admin_off=admin_off)
    token = credentials.credentials
    actor = services.auth.remembered(token) or await run_in_threadpool(
        services.auth.authenticate, token
    )
    if actor is None:
        raise Unauthorized(admin_off=admin_off)
    if actor.kind not in ALLOWED[route]:
        raise Forbidden(f"a principal of kind {actor.kind.value} may not call {route}")
    return actor


Principal = Annotated[Actor, Depends(principal)]


async def admin(by: Principal) -> Actor:
    if by.kind is not ActorKind.ADMIN:
        raise Forbidden("only the admin may do this")
    return by


AdminPrincipal = Annotated[Actor, Depends(admin)]


async def expected_version(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            max_length=64,
            pattern=r'^\s*(\*|(W/)?"?[0-9]+"?)\s*$',
            description='the customer\'s ETag, e.g. "3"; stale → 412',
        ),
    ] = None,
) -> int | None:
    """The version ``If-Match`` names; a tag that names none is ``NO_VERSION``, which
    fails as stale once the command has decided the caller may see the customer."""
    if if_match is None or if_match.strip() == "*":
        return None
    tag = if_match.strip().removeprefix("W/").strip('"')
    return int(tag) if tag.isdigit() and len(tag) <= 18 else NO_VERSION


ExpectedVersion = Annotated[int | None, Depends(expected_version)]


class CustomerCommand:
    """What a command on one customer takes: the customer (from the path), the caller,
    and the response its ETag goes on."""

    version: int | None = None

    def __init__(
        self, customer_id: UUID, by: Principal, services: ServicesDep, response: Response
    ) -> None:
        self.customer_id, self.by, self.response = customer_id, by, response
        self.customers, self.services = services.customers, services

    def described(self, outcome: Outcome) -> CustomerDTO:
        """The customer after the command, with the caller's actions and its ETag: from
        what the command saved, not read again (a read could fail after the write landed)."""
        customer = self.services.queries.describe(outcome.aggregate, self.by, outcome.owner)
        tagged(self.response, customer.version)
        return customer


class ConditionalCustomerCommand(CustomerCommand):
    """A command on one customer that also takes the version ``If-Match`` names."""

    def __init__(
        self,
        customer_id: UUID,
        by: Principal,
        services: ServicesDep,
        version: ExpectedVersion,
        response: Response,
    ) -> None:
        super().__init__(customer_id, by, services, response)
        self.version = version


Command = Annotated[CustomerCommand, Depends()]
ConditionalCommand = Annotated[ConditionalCustomerCommand, Depends()]


async def idempotency_key(
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=255,
            description="replays the first answer to the same key and body",
        ),
    ] = None,
) -> str | None:
    """Declares the header; the idempotency layer acts where an operation declares it."""
    return idempotency_key


IDEMPOTENT = [Depends(idempotency_key)]


async def no_store(response: Response) -> None:
    """Answers that carry a secret (an API key, an activation link) are never cached."""
    response.headers["Cache-Control"] = NO_STORE


NO_STORE = "no-store"
SECRET = [Depends(no_store)]
