"""The composition root: settings in, wired services out. Nothing is built on import."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from application.activation import ActivationLinks
from application.activation_links import LinkSigner
from application.authentication import Authenticator
from application.clock import Clock, SystemClock
from application.customers import CustomerCommands
from application.lists import CustomerLists
from application.partners import PartnerCommands
from application.queries import CustomerQueries
from application.settings import Settings
from application.store import EventStore, open_event_store
from application.unit_of_work import UnitOfWork


@dataclass
class Services:
    settings: Settings
    clock: Clock
    store: EventStore
    customers: CustomerCommands
    queries: CustomerQueries
    partners: PartnerCommands
    auth: Authenticator
    links: LinkSigner
    activation: ActivationLinks
    # The list views (projections/); None until wired, and the list routes answer 503.
    lists: CustomerLists | None = None
    # Readings for /metrics and /readyz that background work registers: name -> (help, read).
    gauges: dict[str, tuple[str, Callable[[], float]]] = field(default_factory=dict)
    counters: dict[str, tuple[str, Callable[[], float]]] = field(default_factory=dict)
    probes: dict[str, Callable[[], bool]] = field(default_factory=dict)
    closers: list[object] = field(default_factory=list)

    def settle(self) -> None:
        """Call point after the test clock moved: process what fell due, then let the
        views catch up. Only the views are wired so far; the process manager and the
        mailer join here when they are."""
        if self.lists is not None:
            self.lists.wait_until_current(10.0)

    def close(self) -> None:
        self.store.close()


def link_secret(settings: Settings) -> bytes:
    """The configured secret, else one kept in ``var/secret.key`` (single-host setups)."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode()
    path = Path("var/secret.key")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()


def build(settings: Settings, clock: Clock | None = None) -> Services:
    clock = clock or SystemClock()
    store = open_event_store(settings.database_url, settings.snapshot_interval)
    uow = UnitOfWork(store, clock)
    admin = settings.admin_token.get_secret_value() if settings.admin_token else None
    links = LinkSigner(link_secret(settings), settings.public_url)
    return Services(
        settings=settings,
        clock=clock,
        store=store,
        customers=CustomerCommands(uow, clock, settings),
        queries=CustomerQueries(uow, clock, settings),
        partners=PartnerCommands(uow, clock),
        auth=Authenticator(uow, admin),
        links=links,
        activation=ActivationLinks(uow, clock, links),
    )
