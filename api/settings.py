"""One settings object: where the data lives, the catalogue and the policy numbers.

Every relative path (the SQLite file, the outbox, the secret key) is resolved against one
home directory, ``TENANTRY_HOME``. Without it, the home is the source checkout the code
runs from (the directory with ``pyproject.toml``), else the current directory.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.database_url import sqlite_path
from domain.values import Catalogue, Policy

DEFAULT_DATABASE_URL = "sqlite:///var/tenantry.db"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
CHECKOUT = Path(__file__).resolve().parents[1]


def default_home() -> Path:
    """The source checkout the code runs from, else the current directory."""
    if (CHECKOUT / "pyproject.toml").is_file() and (CHECKOUT / "application").is_dir():
        return CHECKOUT
    return Path.cwd()


def resolve_sqlite_url(database_url: str, home: Path) -> str:
    """``sqlite:///relative.db`` made absolute against ``home``; other URLs as they are."""
    try:
        path = sqlite_path(database_url)
    except ValueError:
        return database_url  # malformed: said where the URL is used
    if path is None or path == ":memory:" or Path(path).is_absolute():
        return database_url
    return f"sqlite:///{home / path}"


class Settings(BaseSettings):
    """Read from ``TENANTRY_*`` environment variables (nested ones as JSON)."""

    model_config = SettingsConfigDict(env_prefix="TENANTRY_", extra="ignore", frozen=True)

    # Declared first: the paths below are resolved against it.
    home: Path = Field(default_factory=default_home, validate_default=True)
    database_url: str = Field(default=DEFAULT_DATABASE_URL, validate_default=True)
    # A PostgreSQL streaming replica of database_url: the lists are read there.
    read_database_url: str | None = None
    admin_token: SecretStr | None = None
    secret_key: SecretStr | None = None
    audit_key: SecretStr | None = None  # keys the events' MACs; default: the secret key
    # Encrypts the customers' and users' data keys (adapters/data_keys.py); unset: the
    # data keys are stored as they are (erasing one still erases its subject's data).
    master_key: SecretStr | None = None
    # Without a configured secret, one is kept in this file (single-host setups).
    secret_key_file: Path = Field(default=Path("var/secret.key"), validate_default=True)
    public_url: str = DEFAULT_PUBLIC_URL  # serve: the served host and port unless set
    smtp_host: str | None = None
    smtp_port: int = 25
    mail_from: str = "Tenantry <no-reply@tenantry.invalid>"
    outbox_dir: Path = Field(default=Path("var/outbox"), validate_default=True)
    test_clock: bool = False
    sweep: bool = True  # False: this process's background work only follows the views
    snapshot_interval: int = 50
    # Failed sign-ins a client address, or a key prefix, may have in a minute before
    # its requests are refused with 429 (api/sign_in_throttle.py).
    sign_in_failures_per_minute: int = Field(30, ge=1)
    # Seconds a client has to send a request's head (api/slow_clients.py), and the
    # connections plus requests one server process takes before it answers 503.
    head_timeout_s: float = Field(10.0, gt=0)
    # Seconds after which an Idempotency-Key whose request never answered (its process
    # died) may run again, unless its receipt shows the command was done.
    idempotency_stale_after_s: float = Field(60.0, gt=0)
    max_connections: int = Field(1000, ge=1)
    # Days the background work keeps finished work claims and webhook deliveries with
    # their attempts before purging them (adapters/retention.py; events are never purged).
    retain_work_claims_days: float = Field(7.0, gt=0)
    retain_webhook_deliveries_days: float = Field(30.0, gt=0)
    # Webhooks may go to http:// and to private addresses (local development and tests).
    webhooks_allow_insecure: bool = False
    policy: Policy = Policy()
    catalogue: Catalogue = Catalogue()

    @field_validator("home")
    @classmethod
    def _absolute_home(cls, home: Path) -> Path:
        return home.expanduser().resolve()

    @field_validator("database_url")
    @classmethod
    def _resolve_database(cls, url: str, info: ValidationInfo) -> str:
        home = info.data.get("home")
        return url if home is None else resolve_sqlite_url(url, home)

    @field_validator("secret_key_file", "outbox_dir")
    @classmethod
    def _resolve_path(cls, path: Path, info: ValidationInfo) -> Path:
        home = info.data.get("home")
        return path if home is None else home / path.expanduser()

    @property
    def var_dir(self) -> Path:
        """``<home>/var``: where files kept by the service itself belong."""
        return self.home / "var"
