"""Bearer keys to principals. Keys name their holder; only hashes are stored."""

from __future__ import annotations

import hmac

from application.errors import NotFound
from application.partners import parse_key
from application.unit_of_work import UnitOfWork
from domain.partner import Partner
from domain.service_account import ServiceAccount
from domain.values import Actor, ActorKind


class Authenticator:
    def __init__(self, uow: UnitOfWork, admin_token: str | None) -> None:
        self.uow = uow
        self.admin_token = admin_token

    def authenticate(self, bearer: str) -> Actor | None:
        if self.admin_token and hmac.compare_digest(bearer.encode(), self.admin_token.encode()):
            return Actor(kind=ActorKind.ADMIN, id="admin")
        parsed = parse_key(bearer)
        if parsed is None:
            return None
        try:
            holder = self.uow.load(parsed.holder, parsed.holder_id)
        except NotFound:
            return None
        if not holder.verify_api_key(parsed.key_id, parsed.secret):
            return None
        if isinstance(holder, Partner):
            return Actor(kind=holder.actor_kind, id=str(holder.id))
        assert isinstance(holder, ServiceAccount)
        return Actor(kind=ActorKind(holder.state.role.value), id=str(holder.id))
