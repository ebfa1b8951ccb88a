"""The settings of a test service, built in the process (``settings_for``) or given to a
``tenantry`` process as its environment (``environment_for``): the tests' secret key and
admin token (``tests.support.principals``), then what the test says."""

from __future__ import annotations

from typing import Any

from api.settings import Settings
from tests.support.principals import ADMIN_TOKEN, SECRET_KEY


def settings_for(database_url: str, **overrides: Any) -> Settings:
    """The settings of a test service on ``database_url``: a secret key and the admin token."""
    fields: dict[str, Any] = {"secret_key": SECRET_KEY, "admin_token": ADMIN_TOKEN}
    return Settings(database_url=database_url, **{**fields, **overrides})


def environment_for(**variables: str) -> dict[str, str]:
    """A ``tenantry`` process's settings: the secret key and admin token, then ``variables``
    (``TENANTRY_*`` names)."""
    return {"TENANTRY_SECRET_KEY": SECRET_KEY, "TENANTRY_ADMIN_TOKEN": ADMIN_TOKEN, **variables}
