"""Webhooks out over HTTP with httpx: bounded in time and size, never to a private
address.

Connect within 5 s, the whole exchange within 15 s, redirects not followed (a 3xx is
an answer like any other non-2xx), at most 64 KB of an answer read. A URL must be
``https://`` and every address its host resolves to must be a global one (no
loopback, private, link-local, metadata, shared or reserved ones). The host is
resolved again at each send and the request goes to the address that was checked
(TLS still verifies the name), so a name that changes its answers after the check
(DNS rebinding) cannot reach an inside address. ``allow_insecure`` lifts both rules
(``TENANTRY_WEBHOOKS_ALLOW_INSECURE=1``, for local development and tests).
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from http.cookiejar import Cookie, CookieJar
from typing import Any
from urllib.parse import SplitResult, urlsplit

import httpx

from application.webhook_ports import Answer, UnsafeUrl

CONNECT_S = 5.0
TOTAL_S = 15.0
MAX_READ = 64 * 1024
EXCERPT = 1024
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]


def resolve_host(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to now (the system resolver)."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in found))


class NoCookies(CookieJar):
    """Keeps no cookie a receiver sets, and so sends none."""

    def extract_cookies(self, response: Any, request: Any) -> None:
        pass

    def set_cookie(self, cookie: Cookie) -> None:
        pass


def is_public(address: IpAddress) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    return bool((mapped or address).is_global) and not address.is_multicast


class HttpxWebhookSender:
    def __init__(self, *, allow_insecure: bool = False, resolve: Resolver = resolve_host) -> None:
        self.allow_insecure = allow_insecure
        self.resolve = resolve
        self._local = threading.local()
        self._clients: list[httpx.Client] = []
        self._lock = threading.Lock()
        self._tls: ssl.SSLContext | None = None

    @property
    def client(self) -> httpx.Client:
        """This thread's client: each sending thread keeps its own connections (kept
        alive per receiver), so the threads never wait on one pool's lock."""
        client: httpx.Client | None = getattr(self._local, "client", None)
        if client is None:
            with self._lock:  # one TLS context (the system's CAs, loaded once) for all
                self._tls = self._tls or httpx.create_ssl_context()
            client = self._local.client = httpx.Client(
                verify=self._tls,
                timeout=httpx.Timeout(TOTAL_S, connect=CONNECT_S),
                follow_redirects=False,
                trust_env=False,  # no proxies from the environment: the address checked is used
                limits=httpx.Limits(max_connections=20, max_keepalive_connections=8),
                cookies=NoCookies(),  # a receiver's cookies go nowhere
            )
            with self._lock:
                self._clients.append(client)
        return client

    def check(self, url: str) -> None:
        self._target(url)

    def _target(self, url: str) -> tuple[SplitResult, IpAddress]:
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise UnsafeUrl("is not a URL") from None
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise UnsafeUrl("must be an absolute https:// URL")
        if parts.scheme != "https" and not self.allow_insecure:
            raise UnsafeUrl("must be https://")
        addresses = self._addresses(parts.hostname, port)
        if not self.allow_insecure:
            inside = [a for a in addresses if not is_public(a)]
            if inside:
                raise UnsafeUrl(f"its host resolves to {inside[0]}, which is not a public address")
        return parts, addresses[0]

    def _addresses(self, host: str, port: int) -> list[IpAddress]:
        try:
            return [ipaddress.ip_address(host)]
        except ValueError:
            pass
        try:
            found = [ipaddress.ip_address(a.split("%")[0]) for a in self.resolve(host, port)]
        except (OSError, UnicodeError, ValueError) as error:
            raise UnsafeUrl(f"its host {host} does not resolve: {error}") from None
        if not found:
            raise UnsafeUrl(f"its host {host} does not resolve")
        return found

    def post(self, url: str, headers: dict[str, str], body: bytes) -> Answer:
        started = time.monotonic()
        try:
            parts, address = self._target(url)
        except UnsafeUrl as error:
            return Answer(None, 0, error=f"not sent: the URL {error}")
        literal = f"[{address}]" if address.version == 6 else str(address)
        netloc = f"{literal}:{parts.port}" if parts.port else literal
        target = parts._replace(netloc=netloc).geturl()
        sent = {**headers, "host": parts.netloc.rsplit("@", 1)[-1]}
        extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
        try:
            with self.client.stream(
                "POST", target, headers=sent, content=body, extensions=extensions
            ) as response:
                read = self._read(response, started)
                return Answer(
                    response.status_code,
                    _ms(started),
                    excerpt=read[:EXCERPT].decode("utf-8", "replace"),
                    retry_after_s=retry_after(response.headers.get("retry-after")),
                )
        except TimeoutError:
            return Answer(None, _ms(started), error=f"no answer within {TOTAL_S:.0f} s")
        except httpx.TimeoutException as error:
            return Answer(None, _ms(started), error=f"timed out ({type(error).__name__})")
        except httpx.HTTPError as error:
            return Answer(None, _ms(started), error=f"{type(error).__name__}: {error}"[:300])

    def _read(self, response: httpx.Response, started: float) -> bytes:
        read = b""
        for chunk in response.iter_raw():
            read += chunk
            if time.monotonic() - started > TOTAL_S:
                raise TimeoutError
            if len(read) >= MAX_READ:
                break
        return read[:MAX_READ]

    def close(self) -> None:
        with self._lock:
            clients, self._clients = self._clients, []
        for client in clients:
            client.close()


def retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        return max(0.0, parsedate_to_datetime(text).timestamp() - time.time())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
