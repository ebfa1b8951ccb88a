"""One-time sign-in links: a random token emailed to a user, kept only as its SHA-256.

A link works once (``consume`` deletes it), for ``LINK_TTL`` after it was made (by the
service's clock); its token has 256 random bits. The link's page only *reads* it
(``peek``): a mail scanner following the link does not use it up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from application.clock import Clock
from application.tokens import new_token, token_hash

LINK_TTL = timedelta(minutes=15)
PATH = "/console/sign-in/link/"


class Purpose(StrEnum):
    INVITATION = "invitation"
    SIGN_IN = "sign-in"


@dataclass(frozen=True)
class SignInLink:
    token_hash: str
    user_id: UUID
    purpose: Purpose
    created_at: datetime
    expires_at: datetime

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at


@dataclass(frozen=True)
class Issued:
    url: str  # holds the token: mailed once, never stored
    link: SignInLink


class SignInLinkRecords(Protocol):
    def insert(self, link: SignInLink) -> None: ...

    def get(self, token_hash: str) -> SignInLink | None: ...

    def take(self, token_hash: str) -> SignInLink | None:
        """Delete the link and return it; None if it was not there (or another took it)."""
        ...

    def purge(self, now: datetime) -> int:
        """Delete links expired at ``now``; how many went."""
        ...


@dataclass(eq=False)
class SignInLinks:
    records: SignInLinkRecords
    clock: Clock
    public_url: str
    _: KW_ONLY
    new_token: Callable[[], str] = new_token

    def issue(self, user_id: UUID, purpose: Purpose) -> Issued:
        token, now = self.new_token(), self.clock.now()
        link = SignInLink(token_hash(token), user_id, purpose, now, now + LINK_TTL)
        self.records.insert(link)
        return Issued(f"{self.public_url.rstrip('/')}{PATH}{token}", link)

    def peek(self, token: str) -> SignInLink | None:
        """The live link of ``token``, left as it is; None if it is used or expired."""
        link = self.records.get(token_hash(token))
        return None if link is None or link.expired(self.clock.now()) else link

    def consume(self, token: str) -> SignInLink | None:
        """The live link of ``token``, used up; None if it was used or has expired."""
        link = self.records.take(token_hash(token))
        return None if link is None or link.expired(self.clock.now()) else link

    def purge(self) -> int:
        return self.records.purge(self.clock.now())
