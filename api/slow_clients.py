"""A bound on clients that open connections and send their request head slowly.

uvicorn starts no timer on a new connection, and none while a request head (the
request line and headers) arrives: a client sending one byte now and then holds a
connection, and its buffer, for ever (a "slowloris"). ``BoundedHead`` gives every
request head ``timeout_s`` seconds from the connection's opening, or from the first
byte of the next request on a kept-alive connection, and at most ``max_bytes`` bytes;
past either it answers ``408`` or ``431`` and closes the connection. A reverse proxy
in front (nginx ``client_header_timeout``, ``client_body_timeout``,
``large_client_header_buffers``) bounds the rest; see the README.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEAD_TIMEOUT_S = 10.0
MAX_HEAD_BYTES = 64 * 1024
RECHECK_S = 1.0


class BoundedHead(HttpToolsProtocol):
    def __init__(
        self,
        *args: Any,
        timeout_s: float = HEAD_TIMEOUT_S,
        max_bytes: int = MAX_HEAD_BYTES,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.head_timeout_s, self.max_head_bytes = timeout_s, max_bytes
        self._head_deadline: asyncio.TimerHandle | None = None
        self._head_bytes: int | None = None  # None: no request head is arriving

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_begins()

    def data_received(self, data: bytes) -> None:
        if self._head_bytes is not None:
            self._head_bytes += len(data)
        super().data_received(data)
        # Still inside the same head after parsing (a complete head resets the count,
        # so a body sent with its head in one packet is not counted).
        if self._head_bytes is not None and self._head_bytes > self.max_head_bytes:
            self._refuse(b"431 Request Header Fields Too Large")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._head_bytes is None:
            self._head_begins()

    def on_headers_complete(self) -> None:
        self._head_ends()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_ends()
        super().connection_lost(exc)

    def _head_begins(self) -> None:
        self._head_ends()
        self._head_bytes = 0
        self._head_deadline = self.loop.call_later(self.head_timeout_s, self._too_slow)

    def _head_ends(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
        self._head_deadline, self._head_bytes = None, None

    def _too_slow(self) -> None:
        if self.cycle is not None and not self.cycle.response_complete:
            # A pipelined head behind a request still being answered: wait for that one.
            self._head_deadline = self.loop.call_later(RECHECK_S, self._too_slow)
            return
        self._refuse(b"408 Request Timeout")

    def _refuse(self, status: bytes) -> None:
        self._head_ends()
        if not self.transport.is_closing():
            self.transport.write(
                b"HTTP/1.1 " + status + b"\r\nconnection: close\r\ncontent-length: 0\r\n\r\n"
            )
            self.transport.close()


def bounded_head(timeout_s: float, max_bytes: int = MAX_HEAD_BYTES) -> partial[BoundedHead]:
    """The protocol for uvicorn's ``http=`` (a partial: it pickles for ``--workers``)."""
    return partial(BoundedHead, timeout_s=timeout_s, max_bytes=max_bytes)
