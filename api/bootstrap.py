"""The composition root: settings in, wired services out. Nothing is built on import."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from adapters.audit_chain import AuditChain
from adapters.clock_store import PersistedTestClock
from adapters.event_macs import EventMacs
from adapters.event_store import LibraryEventStore, newest_recorded_at, open_event_store
from adapters.histories import histories_of
from adapters.idempotency_store import IdempotencyKeys
from adapters.kept_secrets import kept_secret
from adapters.key_use_store import SqlKeyUses
from adapters.retention import Retention, Rule
from adapters.sealing import Sealer
from adapters.session_store import SqlSessionRecords
from adapters.sign_in_link_store import SqlSignInLinkRecords
from adapters.smtp import OutboxTransport, SmtpTransport
from adapters.sql import check_read_database, open_database, open_read_database
from adapters.webhook_queue import SqlDeliveryQueue
from adapters.webhook_sender import HttpxWebhookSender
from adapters.work_claims import WorkClaims
from api.metrics import LabelledReadings
from api.settings import Settings
from application.activation import ActivationLinks
from application.activation_links import LinkSigner
from application.authentication import Authenticator
from application.background import Sweeper, advance_through_deadlines, settle
from application.clock import Clock, NeverBackwards, SettableClock, SystemClock
from application.console_sessions import ConsoleSessions
from application.customers import CustomerCommands
from application.events_feed import EventsFeed
from application.key_uses import UseRecorder
from application.keys import KeyCommands
from application.lists import CustomerLists, DueWork
from application.mail import MailTransport
from application.own_writes import OwnWrites
from application.partners import PartnerCommands
from application.privacy import Privacy
from application.process_manager import ProcessManager
from application.queries import CustomerQueries
from application.sign_in_links import SignInLinks
from application.trial_analytics import TrialAnalytics
from application.unit_of_work import UnitOfWork
from application.users import UserCommands
from application.webhook_dispatch import WebhookDispatcher
from application.webhook_endpoints import Secrets, WebhookEndpoints
from application.webhook_workers import WebhookWorkers
from projections.personal_data import personal_data_in_views
from projections.replica import ReplicaReader, on_replica
from projections.views import Views

SETTLE_TIMEOUT_S = 60.0
WEBHOOK_SECRETS = b"tenantry webhook endpoint secrets v1"


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


def link_secret(settings: Settings) -> bytes:
    """The configured secret, else one kept in ``settings.secret_key_file``
    (``<home>/var/secret.key``; single-host setups)."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode()
    return kept_secret(settings.secret_key_file, "TENANTRY_SECRET_KEY").encode()


def audit_key(settings: Settings) -> bytes:
    """What the events' MACs and the audit seal are keyed with: ``TENANTRY_AUDIT_KEY``,
    else the service's secret. It must stay the same for the life of the database."""
    if settings.audit_key is not None:
        return settings.audit_key.get_secret_value().encode()
    return link_secret(settings)


def mail_transport(settings: Settings) -> MailTransport:
    if settings.smtp_host:
        return SmtpTransport(settings.smtp_host, settings.smtp_port, settings.mail_from)
    return OutboxTransport(settings.outbox_dir, settings.mail_from)


def retention_rules(settings: Settings) -> list[Rule]:
    """What the service keeps for a while only, beyond what expires by itself
    (idempotency rows after 24 h, sessions and sign-in links at their expiry)."""
    webhooks = timedelta(days=settings.retain_webhook_deliveries_days)
    return [
        Rule("work_claims", "until < ?", timedelta(days=settings.retain_work_claims_days), True),
        Rule("webhook_attempts", "at < ?", webhooks),
        Rule(
            "webhook_deliveries",
            "status IN ('delivered', 'failed', 'cancelled') AND created_at < ?",
            webhooks,
        ),
    ]


def read_replica(settings: Settings, views: Views) -> ReplicaReader | None:
    """The lists on ``TENANTRY_READ_DATABASE_URL``'s replica, when it is set; the
    primary's reader (views, follower, due work) stands by."""
    if settings.read_database_url is None:
        return None
    return on_replica(open_read_database(settings.read_database_url), views.reader)


def build(
    settings: Settings, clock: Clock | None = None, *, sign_unsigned: bool = False
) -> Services:
    """``sign_unsigned``: sign a history written before events carried a MAC (once, by
    the operator's `tenantry audit sign-legacy`; never decided by a start)."""
    check_read_database(settings.database_url, settings.read_database_url)
    macs = EventMacs(audit_key(settings))
    store = open_event_store(
        settings.database_url,
        settings.snapshot_interval,
        macs,
        sign_unsigned=sign_unsigned,
        master_key=None if settings.master_key is None else settings.master_key.get_secret_value(),
    )
    db = open_database(settings.database_url)
    views = Views(
        db, store.recorder, store.mapper, settings.policy, histories_of(db, store.recorder)
    )
    replica = read_replica(settings, views)
    if clock is None and settings.test_clock:
        clock = PersistedTestClock(views.db)
    elif clock is None:
        # Recorded instants never decrease, even after a run on the test clock.
        system = NeverBackwards(SystemClock(), newest_recorded_at(store))
        views.follower.observers.append(system)
        clock = system
    # A party's position is kept only while the views may still be behind it.
    uow = UnitOfWork(store, clock, OwnWrites(reached=lambda: views.follower.position))
    due_work = WorkClaims(views.db)
    due_work.create_schema()
    audit = AuditChain(views.db, store.recorder, macs)
    audit.create_schema()
    secret = link_secret(settings)
    links = LinkSigner(secret, settings.public_url)
    idempotency = IdempotencyKeys(views.db, clock, secret, settings.idempotency_stale_after_s)
    idempotency.create_schema()
    customers = CustomerCommands(uow, clock, settings.policy, settings.catalogue)
    mail = mail_transport(settings)
    manager = ProcessManager(
        due_work=due_work,
        customers=customers,
        uow=uow,
        mail=mail,
        links=links,
        clock=clock,
        policy=settings.policy,
    )
    admin = settings.admin_token.get_secret_value() if settings.admin_token else None
    # Verified keys are remembered while this process's follower reads every event,
    # so a revoked key or a changed partner is forgotten within the views' lag.
    key_uses = SqlKeyUses(views.db)
    key_uses.create_schema()
    uses = UseRecorder(key_uses, clock)
    auth = Authenticator(uow, admin, watching=lambda: views.follower.running, used=uses.used)
    views.follower.observers.append(auth)
    records = SqlSessionRecords(views.db)
    records.create_schema()
    sessions = ConsoleSessions(auth, uow, records, clock)
    sender = HttpxWebhookSender(allow_insecure=settings.webhooks_allow_insecure)
    webhooks = WebhookEndpoints(
        uow, clock, Secrets(Sealer(secret, WEBHOOK_SECRETS)), sender, views.webhook_routes
    )
    deliveries = WebhookDispatcher(
        queue=SqlDeliveryQueue(views.db),
        sender=sender,
        endpoints=webhooks,
        uow=uow,
        clock=clock,
        mail=manager.mail,
    )
    workers = WebhookWorkers(deliveries)
    views.webhook_deliveries.enqueued.append(workers.wake)
    link_records = SqlSignInLinkRecords(views.db)
    link_records.create_schema()
    sign_in_links = SignInLinks(link_records, clock, settings.public_url)
    users = UserCommands(uow, clock, sign_in_links, mail, views.users)
    retention = Retention(
        views.db,
        clock,
        retention_rules(settings),
        others=[
            ("idempotency_keys", idempotency.purge),
            ("console_sessions", sessions.purge),
            ("console_sign_in_links", sign_in_links.purge),
        ],
    )
    return Services(
        settings=settings,
        clock=clock,
        store=store,
        uow=uow,
        customers=customers,
        queries=CustomerQueries(uow, clock, settings.policy),
        partners=PartnerCommands(uow, clock, views.directory),
        keys=KeyCommands(uow, views.directory, key_uses),
        key_uses=uses,
        auth=auth,
        links=links,
        views=views,
        lists=views.reader if replica is None else replica,
        replica=replica,
        due_work=due_work,
        manager=manager,
        sweeper=Sweeper(manager, chores=[audit.seal, retention.purge, uses.flush]),
        retention=retention,
        audit=audit,
        activation=ActivationLinks(uow, clock, links),
        idempotency=idempotency,
        macs=macs,
        sessions=sessions,
        users=users,
        cookie_key=hmac.digest(secret, b"tenantry console cookies v1", "sha256"),
        webhooks=webhooks,
        deliveries=deliveries,
        webhook_workers=workers,
        analytics=TrialAnalytics(views.trial_counts, clock, settings.policy),
        events=EventsFeed(uow, views.feed),
        privacy=Privacy(
            uow=uow,
            customers=customers,
            answers=idempotency,
            in_views=lambda customer_id: personal_data_in_views(views.db, customer_id),
            wait_for_views=views.wait_until,
            scrub=store.scrub,
        ),
    )
