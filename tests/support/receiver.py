"""A real webhook receiver on a loopback port that verifies every delivery with the
``standardwebhooks`` package (a verifier nobody here wrote).

It keeps what it got (verified or not), answers ``status`` (200 by default), can hang
for ``hang_s`` seconds before answering, and can be taken down (connection refused)
and brought back on the same port.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from tests.support.smtp import free_port


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    verified_by: tuple[int, ...]  # the indexes of ``secrets`` whose signature verified

    @property
    def id(self) -> str:
        return self.headers["webhook-id"]

    @property
    def message(self) -> dict[str, Any]:
        found: dict[str, Any] = json.loads(self.body)
        return found

    @property
    def type(self) -> str:
        return str(self.message["type"])


class Receiver:
    def __init__(self, path: str = "/hooks") -> None:
        self.port = free_port()
        self.path = path
        self.secrets: list[str] = []
        self.status = 200
        self.hang_s = 0.0
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.got(headers, body)
                if receiver.hang_s:
                    time.sleep(receiver.hang_s)
                self.send_response(receiver.status)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def got(self, headers: dict[str, str], body: bytes) -> None:
        verified = []
        for index, secret in enumerate(self.secrets):
            try:
                Webhook(secret).verify(body, headers)
            except WebhookVerificationError:
                continue
            verified.append(index)
        with self._lock:
            self.received.append(Received(headers, body, tuple(verified)))

    def verified(self) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.verified_by]

    def wait_for(self, count: int, timeout: float = 20.0, **where: Any) -> list[Received]:
        """The first ``count`` verified deliveries (those of ``type=...`` when given)."""
        give_up = time.monotonic() + timeout
        while True:
            found = [
                r for r in self.verified() if all(getattr(r, k) == v for k, v in where.items())
            ]
            if len(found) >= count or time.monotonic() > give_up:
                return found
            time.sleep(0.05)

    def wait_for_requests(self, count: int, timeout: float = 20.0) -> None:
        """Until ``count`` requests arrived, verified or not (at most ``timeout`` s)."""
        give_up = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < give_up:
            time.sleep(0.05)
