"""ASGI middleware: a bound on request bodies, read whole before the app runs."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import Slug, problem

BODY_LIMIT = 64 * 1024
BODY = "tenantry.body"  # the scope key of the body read (the request hash reads it too)


class BodyLimit:
    """Reads the whole body (at most ``limit`` bytes, else 413) before the app runs."""

    def __init__(self, app: ASGIApp, limit: int = BODY_LIMIT) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = problem(
            Slug.PAYLOAD_TOO_LARGE, f"request bodies are limited to {self.limit} bytes"
        )
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            await too_large(scope, receive, send)
            return
        body, more = bytearray(), True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.limit:
                await too_large(scope, receive, send)
                return
        scope[BODY] = bytes(body)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": scope[BODY], "more_body": False}

        await self.app(scope, replay, send)
