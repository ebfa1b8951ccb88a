"""Webhook endpoints: registered, changed, disabled, deleted and their secrets rotated
by their partner (or the admin). A secret is shown once, when it is made."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from pydantic import BaseModel

from application.clock import Clock
from application.errors import NotFound
from application.unit_of_work import UnitOfWork
from application.webhook_ports import EndpointList, SecretBox, UnsafeUrl, WebhookSender
from domain.errors import ValidationFailed
from domain.partner import Partner
from domain.values import Actor, ActorKind
from domain.webhook_endpoint import (
    EndpointChange,
    SigningSecret,
    WebhookEndpoint,
    check_may_manage,
)

SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks prefix, not a secret
SECRET_BYTES = 32


class SecretInfo(BaseModel):
    id: str
    expires_at: datetime | None


class WebhookEndpointDTO(BaseModel):
    id: UUID
    version: int
    partner_id: UUID
    url: str
    event_types: list[str]
    description: str
    alert_email: str | None
    disabled: bool
    disabled_reason: str | None
    created_at: datetime
    secrets: list[SecretInfo]

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> WebhookEndpointDTO:
        s = endpoint.state
        return cls.model_validate(  # the state's fields, by name, and the aggregate's
            dict(s)
            | {
                "id": endpoint.id,
                "version": endpoint.version,
                "created_at": endpoint.created_on,
                "event_types": list(s.event_types),
                "secrets": [SecretInfo(id=x.secret_id, expires_at=x.expires_at) for x in s.secrets],
            }
        )


class Secrets:
    """Makes, seals and opens endpoint secrets (``whsec_`` + base64 of 32 random bytes)."""

    def __init__(self, box: SecretBox) -> None:
        self.box = box

    def new(self, endpoint_id: UUID) -> tuple[SigningSecret, str]:
        secret_id = secrets.token_hex(4)
        shown = SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()
        sealed = self.box.seal(shown.encode(), bound(endpoint_id, secret_id))
        return SigningSecret(secret_id=secret_id, sealed=base64.b64encode(sealed).decode()), shown

    def open(self, endpoint_id: UUID, secret: SigningSecret) -> str:
        plain = self.box.open(base64.b64decode(secret.sealed), bound(endpoint_id, secret.secret_id))
        if plain is None:
            raise RuntimeError(
                f"webhook endpoint {endpoint_id}'s secret {secret.secret_id} does not open: "
                "was TENANTRY_SECRET_KEY changed?"
            )
        return plain.decode()


def bound(endpoint_id: UUID, secret_id: str) -> bytes:
    return f"webhook-endpoint\0{endpoint_id}\0{secret_id}".encode()


@dataclass(eq=False)
class WebhookEndpoints:
    uow: UnitOfWork
    clock: Clock
    secrets: Secrets
    sender: WebhookSender
    listed: EndpointList
    new_id: Callable[[], UUID] = uuid4

    def register(  # noqa: PLR0913
        self,
        *,
        url: str,
        event_types: list[str],
        description: str,
        alert_email: str | None,
        partner_id: UUID | None,
        by: Actor,
    ) -> tuple[WebhookEndpointDTO, str]:
        done = self.uow.done_before(WebhookEndpoint)
        if done is not None:
            return WebhookEndpointDTO.of(done), self.newest_secret(done)
        owner = self._owner(partner_id, by)
        check_may_manage(owner, by)
        try:
            self.uow.load(Partner, owner)
        except NotFound:
            raise ValidationFailed("partner_id", f"no partner {owner}") from None
        self._check_sendable(url)
        endpoint_id = self.new_id()
        secret, shown = self.secrets.new(endpoint_id)
        endpoint = WebhookEndpoint.register(
            endpoint_id=endpoint_id,
            partner_id=owner,
            url=url,
            event_types=event_types,
            description=description,
            alert_email=alert_email,
            secret=secret,
            at=self.clock.now(),
            by=by,
        )
        created, _ = self.uow.create(endpoint)
        if created is not endpoint:
            shown = self.newest_secret(created)
        return WebhookEndpointDTO.of(created), shown

    def get(self, endpoint_id: UUID, *, by: Actor) -> WebhookEndpointDTO:
        return WebhookEndpointDTO.of(self.load_visible(endpoint_id, by))

    def list(self, *, by: Actor, partner_id: UUID | None = None) -> list[WebhookEndpointDTO]:
        if by.kind is ActorKind.ADMIN:
            ids = self.listed.endpoint_ids(partner_id)
        else:
            ids = self.listed.endpoint_ids(UUID(by.id))
        found = [self.uow.load(WebhookEndpoint, i) for i in ids]
        return [WebhookEndpointDTO.of(e) for e in found if not e.state.deleted]

    def change(self, endpoint_id: UUID, change: EndpointChange, *, by: Actor) -> WebhookEndpointDTO:
        if change.url is not None:
            self._check_sendable(change.url)

        def decide(endpoint: WebhookEndpoint, now: datetime) -> None:
            endpoint.change(change, at=now, by=by)
            if change.disabled is True:
                endpoint.disable(reason="disabled by its partner", at=now, by=by)
            elif change.disabled is False:
                endpoint.enable(at=now, by=by)

        return WebhookEndpointDTO.of(self._change(endpoint_id, by, decide))

    def delete(self, endpoint_id: UUID, *, by: Actor) -> None:
        self._change(endpoint_id, by, lambda e, now: e.delete(at=now, by=by))

    def rotate_secret(self, endpoint_id: UUID, *, by: Actor) -> tuple[WebhookEndpointDTO, str]:
        def decide(endpoint: WebhookEndpoint, now: datetime) -> None:
            secret, _ = self.secrets.new(endpoint.id)
            endpoint.rotate_secret(secret=secret, at=now, by=by)

        # The new secret is read back from the endpoint as saved: under an
        # Idempotency-Key whose rotation was done before, the one that rotation made.
        endpoint = self._change(endpoint_id, by, decide)
        return WebhookEndpointDTO.of(endpoint), self.newest_secret(endpoint)

    def retire_secrets(self, endpoint_id: UUID, *, by: Actor) -> WebhookEndpointDTO:
        endpoint = self._change(endpoint_id, by, lambda e, now: e.retire_secrets(at=now, by=by))
        return WebhookEndpointDTO.of(endpoint)

    def disable_failing(self, endpoint_id: UUID, reason: str, by: Actor) -> WebhookEndpoint | None:
        """Disable it for the sender: the endpoint as this call disabled it (None: it was
        disabled or deleted already, by another call or process)."""
        changed: list[bool] = []
        endpoint, _ = self.uow.change(
            WebhookEndpoint,
            endpoint_id,
            lambda e, now: changed.append(
                not e.state.deleted and e.disable(reason=reason, at=now, by=by)
            ),
        )
        return endpoint if changed and changed[-1] else None

    # ------------------------------------------------------------ helpers
    def load_visible(self, endpoint_id: UUID, by: Actor) -> WebhookEndpoint:
        endpoint = self.uow.load(WebhookEndpoint, endpoint_id)
        if endpoint.state.deleted or not endpoint.may_be_managed_by(by):
            raise NotFound(f"no webhook endpoint {endpoint_id}")
        return endpoint

    def newest_secret(self, endpoint: WebhookEndpoint) -> str:
        return self.secrets.open(endpoint.id, endpoint.state.secrets[-1])

    def _change(
        self,
        endpoint_id: UUID,
        by: Actor,
        decide: Callable[[WebhookEndpoint, datetime], object],
    ) -> WebhookEndpoint:
        def check(endpoint: WebhookEndpoint) -> None:
            if endpoint.state.deleted or not endpoint.may_be_managed_by(by):
                raise NotFound(f"no webhook endpoint {endpoint_id}")

        endpoint, _ = self.uow.change(WebhookEndpoint, endpoint_id, decide, check=check)
        return endpoint

    def _owner(self, partner_id: UUID | None, by: Actor) -> UUID:
        if partner_id is not None:
            return partner_id
        if by.kind is ActorKind.ADMIN:
            raise ValidationFailed("partner_id", "the admin names the partner of the endpoint")
        return UUID(by.id)

    def _check_sendable(self, url: str) -> None:
        try:
            self.sender.check(url)
        except UnsafeUrl as error:
            raise ValidationFailed("url", str(error)) from None
