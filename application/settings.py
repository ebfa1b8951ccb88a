"""One settings object: where the data lives, the catalogue and the policy numbers."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.values import Catalogue, Policy

DEFAULT_DATABASE_URL = "sqlite:///var/tenantry.db"


class Settings(BaseSettings):
    """Read from ``TENANTRY_*`` environment variables (nested ones as JSON)."""

    model_config = SettingsConfigDict(env_prefix="TENANTRY_", extra="ignore", frozen=True)

    database_url: str = DEFAULT_DATABASE_URL
    admin_token: SecretStr | None = None
    secret_key: SecretStr | None = None
    audit_key: SecretStr | None = None  # keys the events' MACs; default: the secret key
    public_url: str = "http://127.0.0.1:8000"
    smtp_host: str | None = None
    smtp_port: int = 25
    mail_from: str = "Tenantry <no-reply@tenantry.invalid>"
    outbox_dir: Path = Path("var/outbox")
    test_clock: bool = False
    sweep: bool = True  # False: this process's background work only follows the views
    snapshot_interval: int = 50
    # Failed sign-ins a client address, or a key prefix, may have in a minute before
    # its requests are refused with 429 (api/sign_in_throttle.py).
    sign_in_failures_per_minute: int = Field(30, ge=1)
    # Seconds a client has to send a request's head (api/slow_clients.py), and the
    # connections plus requests one server process takes before it answers 503.
    head_timeout_s: float = Field(10.0, gt=0)
    max_connections: int = Field(1000, ge=1)
    policy: Policy = Policy()
    catalogue: Catalogue = Catalogue()
