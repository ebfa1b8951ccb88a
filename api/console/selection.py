"""The customers an action's panel is about: the ids ticked on the Customers tab, each
read with its version (sent back as the command's expected version, as the API's
``If-Match``), and the refusals of a command as a person reads them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from fastapi import Form, Query

from api.console.people import header
from api.deps import ServicesDep
from api.problems import Slug
from application.console_sessions import Session
from application.dto import CustomerDTO
from application.errors import NotFound, PreconditionFailed
from domain.customer import Customer
from domain.errors import DomainError, PartnerInTrial, ValidationFailed

MOST = 100  # a page of the Customers tab holds at most this many
TARGET = re.compile(r"^([0-9a-f-]{36}):([0-9]{1,18})$")
Ids = Annotated[list[UUID], Query(alias="customer", max_length=MOST)]
Targets = Annotated[list[str], Form(alias="target", max_length=MOST)]
IN_TRIAL = (
    "The MSP that owns this customer is in trial: it must be in production first "
    "to convert its customers to production."
)
STALE = (
    "This customer was changed since the panel was opened (it is now at version {actual}); "
    "the panel shows it as it is now: check it and apply again."
)


@dataclass(frozen=True)
class Selected:
    """A ticked customer as the viewer may see it now, and the aggregate it was read from."""

    dto: CustomerDTO
    aggregate: Customer

    @property
    def target(self) -> str:
        """What the panel's form sends back: the id and the version it showed."""
        return f"{self.dto.id}:{self.dto.version}"


@dataclass(frozen=True)
class Result:
    """One line of an action's outcome: granted, or the refusal's reason."""

    organization: str
    granted: bool
    message: str


def selected(services: ServicesDep, session: Session, ids: list[UUID]) -> list[Selected]:
    """The customers ``ids`` names that the viewer may see, in the order given, once each."""
    found = []
    for customer_id in dict.fromkeys(ids):
        try:
            dto = services.queries.get(customer_id, by=session.actor)
        except NotFound:
            continue
        found.append(Selected(dto, services.uow.load(Customer, customer_id)))
    return found


def targets(values: list[str]) -> list[tuple[UUID, int]]:
    """The ``id:version`` pairs a panel's form sent; any other text is ignored."""
    pairs = []
    for value in values:
        match = TARGET.match(value)
        if match:
            try:
                pairs.append((UUID(match.group(1)), int(match.group(2))))
            except ValueError:
                continue
    return pairs


def readable(error: DomainError) -> str:
    """A refusal as the panel says it: the domain's reason, with a capital and a stop."""
    if isinstance(error, PartnerInTrial):
        return IN_TRIAL
    if isinstance(error, PreconditionFailed):
        return STALE.format(actual=error.actual)
    if isinstance(error, ValidationFailed):
        return sentence(f"{error.field.replace('_', ' ')}: {error.message}")
    return sentence(error.detail)


def reason_text(reason: str | None) -> str:
    """An action's ``reason`` (from ``actions_for``) as the panel says it."""
    if reason == PartnerInTrial().detail:
        return IN_TRIAL
    return sentence(reason)


def sentence(text: str | None) -> str:
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."


def status_of(error: DomainError) -> int:
    """The status the API answers the refusal with (409, 412, 422...)."""
    try:
        return Slug.named(error.slug).status
    except ValueError:
        return 409


def viewer(services: ServicesDep, session: Session) -> dict[str, object]:
    """What every console page's layout needs."""
    return header(services, session)
