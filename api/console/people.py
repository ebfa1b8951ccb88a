"""Who is signed in, as the page header names them, and what the header offers them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from api.bootstrap import Services
from application.console_sessions import Session
from application.errors import NotFound
from domain.partner import Partner
from domain.service_account import ServiceAccount
from domain.values import Actor, ActorKind

LISTS_PARTNERS = frozenset({ActorKind.DISTRIBUTOR, ActorKind.ADMIN, ActorKind.AUDITOR})
ANALYTICS = LISTS_PARTNERS | {ActorKind.MSP}
KIND = {
    ActorKind.MSP: "MSP",
    ActorKind.DISTRIBUTOR: "distributor",
    ActorKind.AUDITOR: "auditor",
}


def display_name(services: Services, actor: Actor) -> str:
    """``Northwind (MSP)``, ``Audit (auditor)``, ``the admin``; a person as
    ``Ada Lovelace (ada@msp.example), Northwind (MSP)``."""
    if actor.kind is ActorKind.ADMIN:
        return "the admin"
    if actor.user_id is not None:
        return f"{person(services, actor)}, {display_name(services, actor.principal)}"
    try:
        holder_id = UUID(actor.id)
        if actor.kind is ActorKind.AUDITOR:
            name = services.uow.load(ServiceAccount, holder_id).state.name
        else:
            name = services.uow.load(Partner, holder_id).state.name
    except (NotFound, ValueError):
        name = actor.id
    return f"{name} ({KIND.get(actor.kind, actor.kind.value)})"


def person(services: Services, actor: Actor) -> str | None:
    """``Ada Lovelace (ada@msp.example)``: the person ``actor`` names, if any."""
    if actor.user_id is None:
        return None
    user = services.users.get(actor.user_id)
    if user is None:
        return str(actor.user_id)
    return f"{user.name} ({user.email})" if user.name else user.email


def header(services: Services, session: Session) -> dict[str, Any]:
    """What every signed-in page's header needs: the name, the form token, the links."""
    return {
        "who": display_name(services, session.actor),
        "csrf_token": session.csrf_token,
        "lists_partners": session.actor.kind in LISTS_PARTNERS,
        "lists_users": session.actor.user_id is not None,  # a person, not a key
        "lists_webhooks": session.actor.is_partner or session.actor.kind is ActorKind.ADMIN,
        "analytics": session.actor.kind in ANALYTICS,
    }
