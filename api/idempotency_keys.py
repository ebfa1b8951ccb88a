"""ASGI middleware for Idempotency-Key on writes: the first answer is kept and replayed."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
from collections.abc import Callable

from anyio import to_thread
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.body_limit import BODY
from api.handlers import DATABASE_UNAVAILABLE, unavailable
from api.operations import Operations
from api.problems import Slug, problem
from application.authentication import Authenticator
from application.backoff import Backoff
from application.idempotency import Answer, Claim, IdempotencyStore
from application.receipts import Asked, serving

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
IN_PROGRESS_WAIT = 10.0
IN_PROGRESS_POLL = Backoff(first=0.05, longest=0.5)

log = logging.getLogger("tenantry.api")


class Idempotency:
    """The first answer to (principal, Idempotency-Key) is kept and replayed.

    The request runs with its key in context (application/receipts.py): the command it
    runs saves a receipt with its events, and a retry whose answer was not kept (the
    process died after the commit) answers from that receipt instead of running again.
    ``done`` says whether a key's command was done, so a retry does not wait for the
    placeholder of a dead process to go stale.
    """

    def __init__(
        self,
        app: ASGIApp,
        auth: Authenticator,
        store: IdempotencyStore,
        done: Callable[[Asked], bool],
    ) -> None:
        self.app, self.auth, self.store, self.done = app, auth, store, done

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITES:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = headers.get("idempotency-key")
        if key is None:
            await self.app(scope, receive, send)
            return
        if not 1 <= len(key) <= 255:
            errors = [{"loc": ["header", "idempotency-key"], "msg": "must be 1 to 255 characters"}]
            await problem(Slug.VALIDATION, "Idempotency-Key is too long", errors=errors)(
                scope, receive, send
            )
            return
        try:
            principal = await self._principal(headers.get("authorization", ""))
            if principal is not None:
                asked = self._asked(principal, key, request_hash(scope))
                claim, answer = await self._claim(asked)
        except DATABASE_UNAVAILABLE as error:  # nothing ran: safe to retry
            log.warning("database unavailable for Idempotency-Key: %s", error)
            await unavailable()(scope, receive, send)
            return
        if principal is None:  # the route answers 401 (or serves the anonymous link holder)
            await self.app(scope, receive, send)
            return
        if claim is Claim.REPLAY and answer is not None:
            await replay(answer, send)
        elif claim is Claim.REUSED:
            detail = "this Idempotency-Key was used with another request; use a new key"
            await problem(Slug.IDEMPOTENCY_KEY_REUSED, detail)(scope, receive, send)
        elif claim is Claim.IN_PROGRESS:
            detail = "a request with this Idempotency-Key is still running; retry shortly"
            busy = problem(Slug.IDEMPOTENCY_KEY_IN_PROGRESS, detail, headers={"Retry-After": "1"})
            await busy(scope, receive, send)
        else:
            await self._run(scope, receive, send, asked)

    def _asked(self, principal: str, key: str, fingerprint: str) -> Asked:
        store = self.store
        return Asked(
            principal,
            key,
            fingerprint,
            keep_secret=lambda secret: store.keep_secret(principal, key, secret),
            kept_secret=lambda: store.kept_secret(principal, key),
        )

    async def _principal(self, authorization: str) -> str | None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        token = token.strip()
        actor = self.auth.remembered(token) or await to_thread.run_sync(
            self.auth.authenticate, token
        )
        return None if actor is None else f"{actor.kind.value}:{actor.id}"

    async def _claim(self, asked: Asked) -> tuple[Claim, Answer | None]:
        """Claim the key; while another request holds it, wait for its answer, or go on
        at once (answering from the receipt) when its command is done already."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + IN_PROGRESS_WAIT
        attempt = 0
        while True:
            attempt += 1
            claim, answer = await to_thread.run_sync(
                self.store.claim, asked.principal, asked.key, asked.request_hash
            )
            if claim is not Claim.IN_PROGRESS:
                return claim, answer
            if await to_thread.run_sync(self.done, asked):
                return Claim.STARTED, None
            if loop.time() > deadline:
                return claim, answer
            await asyncio.sleep(IN_PROGRESS_POLL.pause(attempt))

    async def _run(self, scope: Scope, receive: Receive, send: Send, asked: Asked) -> None:
        messages: list[Message] = []
        principal, key = asked.principal, asked.key

        async def keep(message: Message) -> None:
            messages.append(message)

        try:
            with serving(asked):
                await self.app(scope, receive, keep)
        except BaseException:
            with contextlib.suppress(*DATABASE_UNAVAILABLE):
                await to_thread.run_sync(self.store.release, principal, key)
            raise
        start = messages[0]
        body = b"".join(m.get("body", b"") for m in messages[1:])
        pairs = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in start["headers"]]
        answer = Answer(start["status"], body, pairs)
        try:
            if answer.status < 500:
                await to_thread.run_sync(
                    self.store.finish, principal, key, asked.request_hash, answer
                )
            else:
                await to_thread.run_sync(self.store.release, principal, key)
        except DATABASE_UNAVAILABLE as error:
            # The request ran: its answer goes out. A retry answers from the command's
            # receipt (the placeholder is taken over once that shows the command done).
            log.warning("could not keep the answer to an Idempotency-Key: %s", error)
        for message in messages:
            await send(message)


def request_hash(scope: Scope) -> str:
    body: bytes = scope.get(BODY, b"")
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, RecursionError):
        canonical = body
    digest = hashlib.sha256()
    for part in (scope["method"].encode(), scope["path"].encode(), scope["query_string"]):
        digest.update(part + b"\0")
    digest.update(canonical)
    return digest.hexdigest()


async def replay(answer: Answer, send: Send) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers]
    headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})


class DeclaredIdempotency:
    """Idempotency for the requests that reach an operation declaring Idempotency-Key.

    Everything else (an unknown path, a method the path does not have, a route without
    the header) goes straight to the app: routing and its 404 and 405 come first."""

    def __init__(
        self,
        app: ASGIApp,
        operations: Callable[[], Operations],
        auth: Authenticator,
        store: IdempotencyStore,
        done: Callable[[Asked], bool],
    ) -> None:
        self.app, self.operations = app, operations
        self.idempotent = Idempotency(app, auth=auth, store=store, done=done)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in WRITES
            and any(name == b"idempotency-key" for name, _ in scope["headers"])
            # the table is built from the document on the first such request, not before
            and self.operations().takes_idempotency_key(scope["method"], scope["path"])
        ):
            await self.idempotent(scope, receive, send)
        else:
            await self.app(scope, receive, send)
