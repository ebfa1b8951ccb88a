"""Secrets kept in files under ``<TENANTRY_HOME>/var/`` for single-host setups: the key that signs
activation links and the admin token ``tenantry serve`` uses when none is configured.

A kept secret is made once, on first start. Several processes may start at once
(``serve --workers N``): each writes a whole candidate, readable by its owner only from
the moment it exists, and the first one linked into place wins; nobody reads a file
being written.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ADMIN_TOKEN_FILE = "admin.token"  # noqa: S105 - a file name under the settings' var directory
MIN_LENGTH = 32


def kept_secret(path: Path, variable: str) -> str:
    """The secret in ``path``, made (random, mode 0600) if the file does not exist;
    ``variable`` names the setting that replaces it."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        candidate = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(MIN_LENGTH) + "\n")
        try:
            os.link(candidate, path)
        except FileExistsError:
            pass
        finally:
            candidate.unlink()
    secret = path.read_text().strip()
    if len(secret) < MIN_LENGTH:
        raise RuntimeError(f"{path} holds no usable secret: delete it or set {variable}")
    return secret
