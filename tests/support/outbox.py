"""The sign-in links emailed to an address, read from the outbox's ``.eml`` files."""

from __future__ import annotations

import email
import email.policy
import re
import time
from pathlib import Path

SIGN_IN_LINK = re.compile(r"https?://[^\s\"<>]+/console/sign-in/link/[A-Za-z0-9_-]+")


def sign_in_links(outbox: Path, to: str) -> list[str]:
    """Every sign-in link mailed to ``to``, oldest first."""
    found = []
    for path in sorted(outbox.glob("sign-in.*.eml"), key=lambda p: p.stat().st_mtime_ns):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["To"] != to:
            continue
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        found += SIGN_IN_LINK.findall(str(body.get_content()))  # type: ignore[attr-defined]
    return found


def last_sign_in_link(outbox: Path, to: str, timeout: float = 0.0) -> str:
    give_up = time.monotonic() + timeout
    while True:
        links = sign_in_links(outbox, to)
        if links:
            return links[-1]
        if time.monotonic() >= give_up:
            raise AssertionError(f"no sign-in link to {to} in {outbox}")
        time.sleep(0.1)


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]
