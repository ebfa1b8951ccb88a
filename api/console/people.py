"""Who is signed in, as the page header names them."""

from __future__ import annotations

from uuid import UUID

from api.bootstrap import Services
from application.errors import NotFound
from domain.partner import Partner
from domain.service_account import ServiceAccount
from domain.values import Actor, ActorKind

KIND = {
    ActorKind.MSP: "MSP",
    ActorKind.DISTRIBUTOR: "distributor",
    ActorKind.AUDITOR: "auditor",
}


def display_name(services: Services, actor: Actor) -> str:
    """``Northwind (MSP)``, ``Audit (auditor)``, ``the admin``."""
    if actor.kind is ActorKind.ADMIN:
        return "the admin"
    try:
        holder_id = UUID(actor.id)
        if actor.kind is ActorKind.AUDITOR:
            name = services.uow.load(ServiceAccount, holder_id).state.name
        else:
            name = services.uow.load(Partner, holder_id).state.name
    except (NotFound, ValueError):
        name = actor.id
    return f"{name} ({KIND.get(actor.kind, actor.kind.value)})"
