"""The composition root: settings in, wired services out. Nothing is built on import."""

from __future__ import annotations

import hmac

from adapters.audit_chain import AuditChain
from adapters.clock_store import PersistedTestClock
from adapters.event_macs import EventMacs
from adapters.event_store import newest_recorded_at, open_event_store
from adapters.histories import histories_of
from adapters.idempotency_store import IdempotencyKeys
from adapters.key_use_store import SqlKeyUses
from adapters.retention import Retention
from adapters.sealing import Sealer
from adapters.session_store import SqlSessionRecords
from adapters.sign_in_link_store import SqlSignInLinkRecords
from adapters.sql import check_read_database, open_database
from adapters.webhook_queue import SqlDeliveryQueue
from adapters.webhook_sender import HttpxWebhookSender
from adapters.work_claims import WorkClaims
from api.services import Services
from api.settings import Settings
from api.wiring import (
    WEBHOOK_SECRETS,
    audit_key,
    link_secret,
    mail_transport,
    read_replica,
    retention_rules,
)
from application.activation import ActivationLinks
from application.activation_links import LinkSigner
from application.authentication import Authenticator
from application.background import Sweeper
from application.clock import Clock, NeverBackwards, SystemClock
from application.console_sessions import ConsoleSessions
from application.customers import CustomerCommands
from application.events_feed import EventsFeed
from application.key_uses import UseRecorder
from application.keys import KeyCommands
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
from projections.views import Views

__all__ = ["Services", "build", "link_secret"]


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
        users=views.users,
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
