"""A partner's webhook endpoint: where its customers' events are sent, and the secrets
that sign them.

Secrets reach the domain sealed (the application seals them): the history keeps only
ciphertext. A rotation keeps the previous secret signing beside the new one for
``ROTATION_OVERLAP`` (or until it is retired).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from domain.aggregate import DomainEvent, Stateful, first_envelope
from domain.email_address import check_email
from domain.errors import DomainError, Forbidden
from domain.values import Actor, ActorKind
from domain.webhook_checks import check_description, check_url
from domain.webhook_types import check_event_types

ROTATION_OVERLAP = timedelta(hours=24)
T = TypeVar("T")
V = TypeVar("V")


class SigningSecret(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    secret_id: str
    sealed: str  # the secret, sealed by the application (base64 text)
    expires_at: datetime | None = None  # None: signs until a rotation


class EndpointState(BaseModel):
    model_config = ConfigDict(extra="forbid")
    partner_id: UUID
    url: str
    event_types: tuple[str, ...]
    description: str
    alert_email: str | None
    disabled: bool = False
    disabled_reason: str | None = None
    deleted: bool = False
    secrets: tuple[SigningSecret, ...] = ()


def checked_or(kept: T, given: V | None, check: Callable[[V], T]) -> T:
    """``given`` as ``check`` passes it, or ``kept`` where nothing is given."""
    return kept if given is None else check(given)


def check_alert_email(address: str) -> str:
    return check_email(address, "alert_email")


@dataclass(frozen=True)
class EndpointChange:
    """What a change of an endpoint gives (None: as it is; ``disabled`` is the
    application's, which disables or enables it)."""

    url: str | None = None
    event_types: list[str] | None = None
    description: str | None = None
    alert_email: str | None = None
    clear_alert_email: bool = False
    disabled: bool | None = None


class WebhookEndpoint(Stateful[EndpointState]):
    SNAPSHOT_TOPIC = "WebhookEndpoint"
    state_type = EndpointState

    class Registered(DomainEvent):
        TOPIC = "WebhookEndpoint.Registered"
        partner_id: UUID
        url: str
        event_types: tuple[str, ...]
        description: str
        alert_email: str | None
        secret: SigningSecret

        def mutate(self, aggregate: Any) -> WebhookEndpoint:
            fields = self.values_of(
                "partner_id", "url", "event_types", "description", "alert_email"
            )
            state = EndpointState(**fields, secrets=(self.secret,))
            return WebhookEndpoint.created(self, state)

    class Changed(DomainEvent):
        TOPIC = "WebhookEndpoint.Changed"
        url: str
        event_types: tuple[str, ...]
        description: str
        alert_email: str | None

        def apply(self, aggregate: Any) -> None:
            s = aggregate.state
            s.url, s.event_types, s.description = self.url, self.event_types, self.description
            s.alert_email = self.alert_email

    class Disabled(DomainEvent):
        TOPIC = "WebhookEndpoint.Disabled"
        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.state.disabled = True
            aggregate.state.disabled_reason = self.reason

    class Enabled(DomainEvent):
        TOPIC = "WebhookEndpoint.Enabled"

        def apply(self, aggregate: Any) -> None:
            aggregate.state.disabled = False
            aggregate.state.disabled_reason = None

    class SecretRotated(DomainEvent):
        TOPIC = "WebhookEndpoint.SecretRotated"
        secret: SigningSecret
        previous_expires_at: datetime

        def apply(self, aggregate: Any) -> None:
            s = aggregate.state
            current = s.secrets[-1].model_copy(update={"expires_at": self.previous_expires_at})
            s.secrets = (current, self.secret)

    class SecretsRetired(DomainEvent):
        TOPIC = "WebhookEndpoint.SecretsRetired"
        secret_ids: tuple[str, ...]

        def apply(self, aggregate: Any) -> None:
            s = aggregate.state
            s.secrets = tuple(x for x in s.secrets if x.secret_id not in self.secret_ids)

    class Deleted(DomainEvent):
        TOPIC = "WebhookEndpoint.Deleted"

        def apply(self, aggregate: Any) -> None:
            aggregate.state.deleted = True

    # ------------------------------------------------------------- commands
    @classmethod
    def register(  # noqa: PLR0913
        cls,
        *,
        endpoint_id: UUID,
        partner_id: UUID,
        url: str,
        event_types: list[str],
        description: str,
        alert_email: str | None,
        secret: SigningSecret,
        at: datetime,
        by: Actor,
    ) -> WebhookEndpoint:
        check_may_manage(partner_id, by)
        return cls._start(
            cls.Registered(
                **first_envelope(endpoint_id, at, by),
                partner_id=partner_id,
                url=check_url(url),
                event_types=check_event_types(event_types),
                description=check_description(description),
                alert_email=None
                if alert_email is None
                else check_email(alert_email, "alert_email"),
                secret=secret,
            )
        )

    def change(self, change: EndpointChange, *, at: datetime, by: Actor) -> None:
        """Its URL, event types, description and alert address, those ``change`` gives."""
        self.check_live("change this endpoint")
        s, c = self.state, change
        new = {
            "url": checked_or(s.url, c.url, check_url),
            "event_types": checked_or(s.event_types, c.event_types, check_event_types),
            "description": checked_or(s.description, c.description, check_description),
            "alert_email": None
            if c.clear_alert_email
            else checked_or(s.alert_email, c.alert_email, check_alert_email),
        }
        old = {k: getattr(s, k) for k in new}
        if new != old:
            self._trigger(self.Changed(**self._envelope(at, by), **new))

    def disable(self, *, reason: str, at: datetime, by: Actor) -> bool:
        """Disable it; False if it was disabled already (nothing recorded)."""
        self.check_live("disable this endpoint")
        if self.state.disabled:
            return False
        self._trigger(self.Disabled(**self._envelope(at, by), reason=reason))
        return True

    def enable(self, *, at: datetime, by: Actor) -> None:
        self.check_live("enable this endpoint")
        if self.state.disabled:
            self._trigger(self.Enabled(**self._envelope(at, by)))

    def rotate_secret(self, *, secret: SigningSecret, at: datetime, by: Actor) -> None:
        """``secret`` signs from now on; the current one beside it for 24 h. A secret
        older than the current one stops signing at once."""
        self.check_live("rotate this endpoint's secret")
        self._trigger(
            self.SecretRotated(
                **self._envelope(at, by), secret=secret, previous_expires_at=at + ROTATION_OVERLAP
            )
        )

    def retire_secrets(self, *, at: datetime, by: Actor) -> None:
        """Only the newest secret signs from now on."""
        self.check_live("retire this endpoint's old secrets")
        old = tuple(x.secret_id for x in self.state.secrets[:-1])
        if old:
            self._trigger(self.SecretsRetired(**self._envelope(at, by), secret_ids=old))

    def delete(self, *, at: datetime, by: Actor) -> None:
        self.check_live("delete this endpoint")
        self._trigger(self.Deleted(**self._envelope(at, by)))

    # --------------------------------------------------------------- reading
    def signing_secrets(self, at: datetime) -> tuple[SigningSecret, ...]:
        """The secrets that sign a delivery sent at ``at``, newest last."""
        return tuple(x for x in self.state.secrets if x.expires_at is None or x.expires_at > at)

    def may_be_managed_by(self, by: Actor) -> bool:
        return by.kind is ActorKind.ADMIN or (by.is_partner and by.id == str(self.state.partner_id))

    def check_live(self, action: str) -> None:
        if self.state.deleted:
            raise EndpointDeleted(f"cannot {action}: no webhook endpoint {self.id}")


class EndpointDeleted(DomainError):
    """A deleted endpoint answers as one that never was."""

    slug = "not-found"


def check_may_manage(partner_id: UUID, by: Actor) -> None:
    if by.kind is not ActorKind.ADMIN and not (by.is_partner and by.id == str(partner_id)):
        raise Forbidden("only the partner itself or the admin manages its webhook endpoints")
