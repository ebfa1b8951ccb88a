"""Failed sign-ins are counted and, past a limit, refused before any key is checked.

Each answer ``401`` to a request that presented a key counts one failure against the
client's address and against the key's prefix (``tnt_<holder>_<key id>``, everything
but the secret); once either has ``per_minute`` failures within the last minute (a
moving window, from the ``limits`` library, in this process's memory), any request
presenting a key from that address or with that prefix is answered ``429`` with
``Retry-After``, until the window has room again. A correct key is refused too while
blocked: answering it would let a guesser go on at full speed. Each failure is logged
with the address and the prefix only, never the secret.
"""

from __future__ import annotations

import logging
import math
import time

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import Slug, problem
from application.partners import parse_key

FAILURES_PER_MINUTE = 30
log = logging.getLogger("tenantry.auth")


def key_prefix(bearer: str) -> str | None:
    """The public part of a Tenantry key; None for anything else (e.g. the admin token)."""
    parsed = parse_key(bearer)
    return None if parsed is None else bearer[: -len(parsed.secret) - 1]


def presented_key(scope: Scope) -> str | None:
    scheme, _, credential = Headers(scope=scope).get("authorization", "").partition(" ")
    return credential.strip() if scheme.lower() == "bearer" and credential.strip() else None


class FailedSignIns:
    def __init__(self, per_minute: int = FAILURES_PER_MINUTE) -> None:
        self.limit = RateLimitItemPerMinute(per_minute)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def retry_after(self, identities: list[tuple[str, str]]) -> int | None:
        """Seconds until every identity may try again, or None if none is blocked."""
        waits = [
            self.limiter.get_window_stats(self.limit, *identity).reset_time - time.time()
            for identity in identities
            if not self.limiter.test(self.limit, *identity)
        ]
        return max(1, math.ceil(max(waits))) if waits else None

    def failed(self, identities: list[tuple[str, str]]) -> None:
        for identity in identities:
            self.limiter.hit(self.limit, *identity)


class SignInThrottle:
    def __init__(
        self,
        app: ASGIApp,
        per_minute: int = FAILURES_PER_MINUTE,
        failures: FailedSignIns | None = None,
    ) -> None:
        """``failures``: counts shared with another way in (the console's sign-in form)."""
        self.app = app
        self.failures = failures or FailedSignIns(per_minute)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = presented_key(scope) if scope["type"] == "http" else None
        if key is None:
            await self.app(scope, receive, send)
            return
        address = scope["client"][0] if scope.get("client") else "unknown"
        prefix = key_prefix(key)
        identities = [("address", address)] + ([("key", prefix)] if prefix else [])
        wait = self.failures.retry_after(identities)
        if wait is not None:
            detail = "too many failed sign-ins from this address or with this key; try later"
            refusal = problem(Slug.TOO_MANY_REQUESTS, detail, headers={"Retry-After": str(wait)})
            await refusal(scope, receive, send)
            return
        status = 0

        async def watched(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, watched)
        if status == 401:
            self.failures.failed(identities)
            log.warning(
                "failed sign-in from %s with key %r",
                address,
                prefix or "(not a Tenantry key)",
            )
