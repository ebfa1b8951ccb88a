"""Settings to parts: the secrets, the mail transport, the retention rules and the
read replica that ``api.bootstrap.build`` wires from the settings."""

from __future__ import annotations

from datetime import timedelta

from adapters.kept_secrets import kept_secret
from adapters.retention import Rule
from adapters.smtp import OutboxTransport, SmtpTransport
from adapters.sql import open_read_database
from api.settings import Settings
from application.mail import MailTransport
from projections.replica import ReplicaReader, on_replica
from projections.views import Views

WEBHOOK_SECRETS = b"tenantry webhook endpoint secrets v1"


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
