"""Partners and service accounts: registration, status and API keys (shown once)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from application.authorization import can_read_partner
from application.clock import Clock
from application.directory import Directory, PartnerRow
from application.dto import PartnerDTO
from application.errors import AnswerLost, Busy, NotFound
from application.lists import Page
from application.receipts import served
from application.unit_of_work import UnitOfWork
from domain.errors import Forbidden, ValidationFailed
from domain.keys import KeyHolder
from domain.partner import Partner
from domain.service_account import ServiceAccount
from domain.values import Actor, ActorKind, PartnerKind, PartnerStatus, ServiceRole

KEY_PREFIX = "tnt"
HOLDER_CODES: dict[str, type[KeyHolder]] = {"p": Partner, "s": ServiceAccount}


@dataclass(frozen=True)
class IssuedKey:
    holder_id: UUID
    api_key: str


@dataclass(frozen=True)
class ParsedKey:
    holder: type[KeyHolder]
    holder_id: UUID
    key_id: str
    secret: str


def key_prefix(holder_type: type[KeyHolder], holder_id: UUID, key_id: str) -> str:
    """A key without its secret: what names it in lists, never enough to use it."""
    code = "p" if issubclass(holder_type, Partner) else "s"
    return f"{KEY_PREFIX}_{code}{holder_id.hex}_{key_id}"


def format_key(holder: KeyHolder, key_id: str, secret: str) -> str:
    return f"{key_prefix(type(holder), holder.id, key_id)}_{secret}"


def parse_key(api_key: str) -> ParsedKey | None:
    parts = api_key.split("_", 3)
    if len(parts) != 4 or parts[0] != KEY_PREFIX or not parts[1]:
        return None
    holder = HOLDER_CODES.get(parts[1][0])
    try:
        holder_id = UUID(hex=parts[1][1:])
    except ValueError:
        return None
    if holder is None or not parts[2] or not parts[3]:
        return None
    return ParsedKey(holder, holder_id, parts[2], parts[3])


def holds(holder: KeyHolder, api_key: str) -> bool:
    """Whether ``api_key`` is one of ``holder``'s keys."""
    parsed = parse_key(api_key)
    return (
        parsed is not None
        and parsed.holder_id == holder.id
        and holder.verify_api_key(parsed.key_id, parsed.secret)
    )


@dataclass(eq=False)
class PartnerCommands:
    """Partners, their API keys and the service accounts' keys."""

    uow: UnitOfWork
    clock: Clock
    directory: Directory | None = None
    new_id: Callable[[], UUID] = uuid4

    def register(
        self,
        *,
        name: str,
        kind: PartnerKind,
        status: PartnerStatus = PartnerStatus.TRIAL,
        distributor_id: UUID | None = None,
        by: Actor,
    ) -> tuple[PartnerDTO, str]:
        done = self.uow.done_before(Partner)
        if done is not None:
            return PartnerDTO.of(done), self._shown(done, None)
        distributor = None
        if distributor_id is not None:
            distributor = self._load_partner(distributor_id, field="distributor_id")
        now = self.clock.now()
        partner = Partner.register(
            partner_id=self.new_id(),
            name=name,
            kind=kind,
            status=status,
            distributor=distributor,
            at=now,
            by=by,
        )
        api_key = self._issue(partner, now, by)
        created, _ = self.uow.create(partner)
        return PartnerDTO.of(created), self._shown(created, api_key)

    def get(self, partner_id: UUID, *, by: Actor) -> PartnerDTO:
        partner = self.uow.load(Partner, partner_id)
        if not can_read_partner(partner.id, partner.state.distributor_id, by):
            raise NotFound(f"no partner {partner_id}")
        return PartnerDTO.of(partner)

    def list_partners(
        self, *, by: Actor, limit: int, cursor: str | None = None
    ) -> Page[PartnerRow]:
        """The partners ``by`` may list (the admin and auditors all, a distributor its
        MSPs, an MSP itself), with each one's number of customers."""
        if self.directory is None:
            raise Busy("the views are not running in this process")
        return self.directory.partners(by, limit, cursor)

    def change_status(self, partner_id: UUID, *, status: PartnerStatus, by: Actor) -> PartnerDTO:
        partner, _ = self.uow.change(
            Partner, partner_id, lambda p, now: p.change_status(status=status, at=now, by=by)
        )
        return PartnerDTO.of(partner)

    def issue_api_key(self, partner_id: UUID, *, by: Actor) -> IssuedKey:
        keys: list[str] = []
        partner, _ = self.uow.change(
            Partner, partner_id, lambda p, now: keys.append(self._issue(p, now, by))
        )
        return IssuedKey(partner_id, self._shown(partner, keys[-1] if keys else None))

    def register_service_account(self, *, role: ServiceRole, name: str, by: Actor) -> IssuedKey:
        done = self.uow.done_before(ServiceAccount)
        if done is not None:
            return IssuedKey(done.id, self._shown(done, None))
        now = self.clock.now()
        account = ServiceAccount.register(
            account_id=self.new_id(), role=role, name=name, at=now, by=by
        )
        api_key = self._issue(account, now, by)
        created, _ = self.uow.create(account)
        return IssuedKey(created.id, self._shown(created, api_key))

    def _issue(self, holder: KeyHolder, now: datetime, by: Actor) -> str:
        if by.kind is not ActorKind.ADMIN:
            raise Forbidden("only the admin issues API keys")
        key_id = secrets.token_hex(8)  # unique among all keys: service keys are named by it
        secret = secrets.token_urlsafe(32)
        holder.issue_api_key(key_id=key_id, secret=secret, at=now, by=by)
        api_key = format_key(holder, key_id, secret)
        request = served()
        if request is not None:  # kept (sealed) before it is saved: a retry shows it again
            request.keep_secret(api_key)
        return api_key

    def _shown(self, holder: KeyHolder, issued: str | None) -> str:
        """The key to show: the one just issued, or, when the command was done before
        under this Idempotency-Key, the one it issued (kept sealed with the key)."""
        if issued is not None and holds(holder, issued):
            return issued
        request = served()
        kept = request.kept_secret() if request is not None else None
        if kept is not None and holds(holder, kept):
            return kept
        raise AnswerLost(
            "this Idempotency-Key's command was done, but its API key can no longer be "
            "shown; issue another key"
        )

    def _load_partner(self, partner_id: UUID, field: str) -> Partner:
        try:
            return self.uow.load(Partner, partner_id)
        except NotFound:
            raise ValidationFailed(field, f"no partner {partner_id}") from None
