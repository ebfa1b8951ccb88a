"""The running service: every wired part, its readings for /metrics and /readyz,
and the background work it starts and stops. Built by ``api.bootstrap.build``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from adapters.audit_chain import AuditChain
from adapters.event_macs import EventMacs
from adapters.event_store import LibraryEventStore
from adapters.idempotency_store import IdempotencyKeys
from adapters.retention import Retention
from api.metrics import LabelledReadings
from api.settings import Settings
from application.activation import ActivationLinks
from application.activation_links import LinkSigner
from application.authentication import Authenticator
from application.background import Sweeper, advance_through_deadlines, settle
from application.clock import Clock, SettableClock
from application.console_sessions import ConsoleSessions
from application.customers import CustomerCommands
from application.events_feed import EventsFeed
from application.key_uses import UseRecorder
from application.keys import KeyCommands
from application.lists import CustomerLists, DueWork
from application.partners import PartnerCommands
from application.privacy import Privacy
from application.process_manager import ProcessManager
from application.queries import CustomerQueries
from application.trial_analytics import TrialAnalytics
from application.unit_of_work import UnitOfWork
from application.users import UserCommands
from application.webhook_dispatch import WebhookDispatcher
from application.webhook_endpoints import WebhookEndpoints
from application.webhook_workers import WebhookWorkers
from projections.replica import ReplicaReader
from projections.views import Views

SETTLE_TIMEOUT_S = 60.0


@dataclass
class Services:
    settings: Settings
    clock: Clock
    store: LibraryEventStore
    uow: UnitOfWork
    customers: CustomerCommands
    queries: CustomerQueries
    partners: PartnerCommands
    keys: KeyCommands
    key_uses: UseRecorder  # notes of keys used, written by the background work
    auth: Authenticator
    links: LinkSigner
    views: Views
    lists: CustomerLists
    due_work: DueWork
    manager: ProcessManager
    sweeper: Sweeper
    audit: AuditChain
    activation: ActivationLinks
    idempotency: IdempotencyKeys
    macs: EventMacs
    sessions: ConsoleSessions
    users: UserCommands
    cookie_key: bytes  # signs the console's session cookie
    webhooks: WebhookEndpoints
    deliveries: WebhookDispatcher
    webhook_workers: WebhookWorkers
    analytics: TrialAnalytics
    events: EventsFeed
    privacy: Privacy
    # Readings for /metrics and /readyz: name -> (help, read) and name -> probe.
    gauges: dict[str, tuple[str, Callable[[], float]]] = field(default_factory=dict)
    counters: dict[str, tuple[str, Callable[[], float]]] = field(default_factory=dict)
    labelled_counters: LabelledReadings = field(default_factory=dict)
    probes: dict[str, Callable[[], bool]] = field(default_factory=dict)
    sweeping: bool = False  # whether start_background started the sweeper
    retention: Retention | None = None  # what the background work purges
    replica: ReplicaReader | None = None  # the lists, when read on a replica

    def __post_init__(self) -> None:
        if self.retention is not None:
            self.labelled_counters["tenantry_retention_purged_rows"] = (
                "rows purged by retention, by table (events are never purged)",
                "table",
                self.retention.counts,
            )
        self.counters["tenantry_integrity_failures"] = (
            "stored events read whose MAC did not verify (altered or forged)",
            lambda: float(self.macs.failures),
        )
        self.gauges.update(
            {
                "tenantry_projection_lag_events": (
                    "events recorded but not yet in the views",
                    lambda: float(
                        (self.store.recorder.max_notification_id() or 0)
                        - self.views.follower.position
                    ),
                ),
                "tenantry_deadlines_due": (
                    "deadlines due now, done or not yet",
                    lambda: float(self.views.reader.count_due(self.clock.now())),
                ),
            }
        )
        self.counters.update(
            {
                "tenantry_emails_sent": (
                    "emails accepted by the mail server (or written to the outbox)",
                    lambda: float(self.manager.emails_sent),
                ),
                "tenantry_emails_failed": (
                    "email attempts the mail server refused or could not take",
                    lambda: float(self.manager.emails_failed),
                ),
                "tenantry_webhooks_delivered": (
                    "webhook attempts the receiver answered with a 2xx",
                    lambda: float(self.deliveries.sent),
                ),
                "tenantry_webhooks_failed": (
                    "webhook attempts that failed (non-2xx, timeout, no connection)",
                    lambda: float(self.deliveries.failed),
                ),
                "tenantry_projection_failures": (
                    "attempts to apply events to the views that failed",
                    lambda: float(self.views.follower.failures),
                ),
            }
        )
        if self.replica is not None:
            self._watch(self.replica)
        self.probes["background"] = lambda: self.background_running
        self.probes["views"] = lambda: self.views.follower.advancing

    def _watch(self, replica: ReplicaReader) -> None:
        self.gauges["tenantry_replica_lag_events"] = (
            "events in the primary's views not yet in the replica's",
            lambda: float(replica.replica_lag()),
        )
        self.counters["tenantry_replica_reads"] = (
            "lists the replica answered",
            lambda: float(replica.replica_reads),
        )
        self.counters["tenantry_replica_fallbacks"] = (
            "lists the primary answered: the replica had not reached their position in time, "
            "or could not answer",
            lambda: float(replica.primary_reads),
        )

    def start_background(self, *, sweep: bool | None = None) -> None:
        """Follow the events into the views; sweep due work (emails, notices, upgrades)
        unless ``TENANTRY_SWEEP`` is off (API processes beside dedicated workers)."""
        self.views.start()
        if self.settings.sweep if sweep is None else sweep:
            self.sweeping = True
            self.sweeper.start()
            self.webhook_workers.start()

    @property
    def background_running(self) -> bool:
        """The background work this process started is running."""
        sweeping = self.sweeper.running and self.webhook_workers.running
        return self.views.follower.running and (sweeping or not self.sweeping)

    def settle(self, timeout: float = SETTLE_TIMEOUT_S) -> bool:
        """Do everything due by the clock's now, and let the views catch up."""
        return settle(
            self.lists, self.manager, timeout, advancing=lambda: self.views.follower.advancing
        )

    def advance_clock(self, delta: timedelta) -> bool:
        """Move the test clock by ``delta`` through every deadline on the way, each
        settled at its own instant. Only with the test clock."""
        clock = self.clock
        if not isinstance(clock, SettableClock):
            raise RuntimeError("the clock is the system clock; it cannot be advanced")
        return advance_through_deadlines(clock, self.due_work, self.settle, clock.now() + delta)

    def close(self) -> None:
        self.webhook_workers.stop()
        self.sweeper.stop()
        self.deliveries.sender.close()
        self.views.close()
        if self.replica is not None:
            self.replica.close()
        self.store.close()
