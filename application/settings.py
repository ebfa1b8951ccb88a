"""One settings object: where the data lives, the catalogue and the policy numbers."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
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
    policy: Policy = Policy()
    catalogue: Catalogue = Catalogue()
