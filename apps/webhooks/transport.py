"""Sending one webhook request safely (README "Webhooks for integrators", Safety).

An endpoint URL is the integrator's input, so a delivery must never become a way into Veza's own
network (SSRF). The host is resolved at delivery time, every address it resolves to is checked
(loopback, private, link-local including the cloud metadata address, shared, reserved,
multicast and unspecified ranges are refused: only globally routable addresses pass), and the
connection goes to the vetted address itself while the ``Host`` header and TLS SNI/certificate
check keep the hostname: a DNS answer that changes between the check and the connection (DNS
rebinding) cannot redirect the request. Redirects are not followed, the answer's body is read up
to :data:`RESPONSE_READ_LIMIT` bytes, and connect/read timeouts are short.

urllib3 (already installed under requests) does the HTTP: its connection pools accept an IP as
the host with ``server_hostname``/``assert_hostname`` for TLS, which is exactly the pinning
needed. ``advocate``, the library that wraps requests for this, has not been released since
2020, so it is not used.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import certifi
import urllib3
from django.conf import settings

#: Certificate authorities trusted for https endpoints (Mozilla's bundle, via certifi).
CA_BUNDLE = certifi.where()
#: Bytes of the endpoint's answer read at most (the rest is discarded unread).
RESPONSE_READ_LIMIT = 4096
CONNECT_TIMEOUT_SECONDS = 3.0
#: A 2xx must arrive within this many seconds of the request (README: "within 10 s").
RESPONSE_DEADLINE_SECONDS = 10.0


class TargetRefused(Exception):
    """The URL may not be called (its address is not public, or it is malformed)."""


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    duration_ms: int
    error: str = ""
    body_excerpt: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def address_is_public(address: str) -> bool:
    """Only globally routable unicast addresses; an IPv4-mapped IPv6 address is judged as the
    IPv4 address it carries."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_multicast or ip.is_reserved or ip.is_link_local or ip.is_loopback
    )


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (tests replace this function)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({info[4][0] for info in infos})


def _host_literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def url_check(url: str) -> None:
    """What can be known without DNS: the scheme, no credentials, a host, and no literal or
    well-known local host name unless private targets are allowed. Raises :class:`TargetRefused`
    with a message for people."""
    parts = urlsplit(url)
    require_https = settings.WEBHOOKS_REQUIRE_HTTPS
    allowed = ("https",) if require_https else ("https", "http")
    if parts.scheme not in allowed:
        raise TargetRefused(
            "The URL must start with https://." if require_https else "Use http(s)."
        )
    if parts.username or parts.password:
        raise TargetRefused("The URL must not contain credentials.")
    host = parts.hostname
    if not host:
        raise TargetRefused("The URL has no host.")
    try:
        parts.port  # noqa: B018  (raises on a port out of range)
    except ValueError as exc:
        raise TargetRefused("The URL's port is not valid.") from exc
    if settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS:
        return
    literal = _host_literal(host)
    if literal is not None and not address_is_public(literal):
        raise TargetRefused("The URL points to a private or reserved address.")
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        raise TargetRefused("The URL points to a local host name.")


def _vetted_address(host: str, port: int) -> str:
    literal = _host_literal(host)
    try:
        addresses = [literal] if literal else resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise TargetRefused(f"The host name does not resolve ({type(exc).__name__}).") from exc
    if not addresses:
        raise TargetRefused("The host name does not resolve.")
    if not settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS:
        refused = [address for address in addresses if not address_is_public(address)]
        if refused:
            raise TargetRefused("The host resolves to a private or reserved address.")
    return addresses[0]


def post(*, url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST ``body`` to ``url`` once, from a vetted address, without following redirects."""
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        url_check(url)
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = _vetted_address(host, port)
    except TargetRefused as exc:
        return Outcome(status_code=None, duration_ms=elapsed(), error=f"refused: {exc}"[:255])
    timeout = urllib3.Timeout(
        connect=CONNECT_TIMEOUT_SECONDS, read=RESPONSE_DEADLINE_SECONDS, total=None
    )
    common = {"port": port, "timeout": timeout, "retries": False, "maxsize": 1}
    if parts.scheme == "https":
        pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
            address,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=CA_BUNDLE,
            **common,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, **common)
    default_port = 443 if parts.scheme == "https" else 80
    host_header = host if port == default_port else f"{host}:{port}"
    if ":" in host and not host.startswith("["):
        host_header = f"[{host}]" if port == default_port else f"[{host}]:{port}"
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    try:
        response = pool.urlopen(
            "POST",
            path,
            body=body,
            headers={**headers, "Host": host_header},
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            excerpt = _read_limited(response, deadline=started + RESPONSE_DEADLINE_SECONDS)
        finally:
            response.release_conn()
            response.close()
    except (urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
        # Anything the network or a malformed answer throws is a failed attempt, recorded and
        # retried like any other, never a crashed task retried by the sweeper without a trace.
        return Outcome(status_code=None, duration_ms=elapsed(), error=_describe(exc))
    finally:
        pool.close()
    duration = elapsed()
    if duration > RESPONSE_DEADLINE_SECONDS * 1000:
        return Outcome(
            status_code=response.status, duration_ms=duration, error="timeout: answered too late"
        )
    error = ""
    if 300 <= response.status < 400:
        error = "redirects are not followed"
    return Outcome(
        status_code=response.status, duration_ms=duration, error=error, body_excerpt=excerpt
    )


def _read_limited(response, *, deadline: float) -> str:
    chunks: list[bytes] = []
    remaining = RESPONSE_READ_LIMIT
    while remaining > 0 and time.monotonic() < deadline:
        chunk = response.read(min(remaining, 1024))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks).decode("utf-8", errors="replace")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, urllib3.exceptions.ConnectTimeoutError):
        return "timeout: could not connect"
    if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
        return "timeout: no answer"
    if isinstance(exc, urllib3.exceptions.SSLError):
        return "tls: certificate or handshake failed"
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return "connection refused or unreachable"
    return f"error: {type(exc).__name__}"[:255]
