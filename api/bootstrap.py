"""The composition root: settings in, wired services out. Nothing is built on import."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from api.lists import ProjectedLists
from application.activation_links import LinkSigner
from application.authentication import Authenticator
from application.clock import Clock, SystemClock
from application.customers import CustomerCommands
from application.partners import PartnerCommands
from application.queries import CustomerQueries
from application.settings import Settings
from application.store import EventStore, open_event_store
from application.unit_of_work import UnitOfWork
from projections.views import Views


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
    views: Views
    lists: ProjectedLists
    closers: list[object] = field(default_factory=list)

    def start_background(self) -> None:
        """Start the projections' follower (the process manager and mailer come later)."""
        self.views.start()

    def close(self) -> None:
        self.views.close()
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
    views = Views(settings.database_url, store.recorder, store.mapper, settings.policy)
    return Services(
        settings=settings,
        clock=clock,
        store=store,
        customers=CustomerCommands(uow, clock, settings),
        queries=CustomerQueries(uow, clock, settings),
        partners=PartnerCommands(uow, clock),
        auth=Authenticator(uow, admin),
        links=LinkSigner(link_secret(settings), settings.public_url),
        views=views,
        lists=ProjectedLists(views),
    )
