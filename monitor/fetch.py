"""The only HTTP client: timeouts with a total deadline, size caps, conditional GET, SSRF guard."""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

import httpcore
import httpx

from monitor.errors import BlockedAddressError, FetchError


def is_forbidden_address(address: str) -> bool:
    """Loopback, private, link-local (cloud metadata), shared, reserved and multicast addresses."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        # IPv6 forms that carry an IPv4 address reach that address: judge it instead.
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip.sixtofour is not None:
            ip = ip.sixtofour
        elif ip in _NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return not ip.is_global or ip.is_multicast


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class _GuardedBackend(httpcore.SyncBackend):
    """Checks every address a connection would reach, after DNS resolution.

    Checking at connect time (not on the URL) covers redirects and DNS answers that change
    between a check and the connection, because the checked address is the one connected to.
    """

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve host {host!r}: {exc}") from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        blocked = [a for a in addresses if is_forbidden_address(a)]
        if blocked:
            raise BlockedAddressError(
                f"refused to connect to {host} ({blocked[0]}): loopback, private and link-local "
                "addresses are blocked (set [fetch] allow_private_addresses = true to allow them)"
            )
        last_error: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                last_error = exc
        raise last_error or httpcore.ConnectError(f"no address for host {host!r}")


class _GuardedTransport(httpx.HTTPTransport):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # httpx has no public way to pass a network backend; its pool takes one.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=kwargs["limits"].max_connections,
            max_keepalive_connections=kwargs["limits"].max_keepalive_connections,
            network_backend=_GuardedBackend(),
        )


@dataclass(frozen=True)
class FetchPolicy:
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    user_agent: str = "WebcareTriage/0.1"
    allow_private_addresses: bool = False


@dataclass
class FetchResponse:
    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes = b""
    not_modified: bool = False
    permanent_redirect: str | None = None
    elapsed: float = 0.0
    etag: str | None = field(default=None)
    last_modified: str | None = field(default=None)
    # Cache-Control max-age: how long the server says this answer stays fresh, seconds.
    max_age: float | None = None
    # WebSub discovery from the Link header (rel="hub" and rel="self").
    link_hub: str | None = None
    link_self: str | None = None


_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d{1,9})", re.IGNORECASE)


def _max_age(cache_control: str | None) -> float | None:
    if not cache_control or "no-cache" in cache_control.lower():
        return None
    match = _MAX_AGE.search(cache_control)
    return float(match.group(1)) if match and int(match.group(1)) > 0 else None


def _link(response: httpx.Response, rel: str) -> str | None:
    try:
        url = response.links.get(rel, {}).get("url")
    except (ValueError, KeyError, IndexError):  # a malformed Link header: no discovery
        return None
    if not url:
        return None
    absolute = urljoin(str(response.url), url)
    return absolute[:2000] if absolute.startswith(("http://", "https://")) else None


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:  # "-0000" means UTC of unknown origin, never local time
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, moment.timestamp() - time.time())


class Fetcher:
    """Fetches URLs within the policy's limits; one instance is shared by the collector threads."""

    def __init__(self, policy: FetchPolicy) -> None:
        self.policy = policy
        limits = httpx.Limits(max_connections=50, max_keepalive_connections=10)
        timeout = httpx.Timeout(
            connect=policy.connect_timeout,
            read=policy.read_timeout,
            write=policy.read_timeout,
            pool=policy.connect_timeout,
        )
        common: dict[str, Any] = {
            "timeout": timeout,
            "follow_redirects": True,
            "max_redirects": policy.max_redirects,
            "headers": {"User-Agent": policy.user_agent},
            "trust_env": False,
        }
        self._open = httpx.Client(transport=httpx.HTTPTransport(limits=limits), **common)
        self._guarded = httpx.Client(transport=_GuardedTransport(limits=limits), **common)

    def close(self) -> None:
        self._open.close()
        self._guarded.close()

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        headers: Mapping[str, str] | None = None,
        allow_private: bool | None = None,
    ) -> FetchResponse:
        allow = self.policy.allow_private_addresses if allow_private is None else allow_private
        client = self._open if allow else self._guarded
        request_headers = dict(headers or {})
        if etag:
            request_headers["If-None-Match"] = etag
        if last_modified:
            request_headers["If-Modified-Since"] = last_modified
        started = time.monotonic()
        deadline = started + self.policy.total_timeout
        with (
            self._as_fetch_errors(),
            client.stream("GET", url, headers=request_headers) as response,
        ):
            return self._read(response, started, deadline)

    @contextmanager
    def _as_fetch_errors(self) -> Iterator[None]:
        """httpx's exceptions as FetchErrors with a message for the sources page."""
        try:
            yield
        except BlockedAddressError:
            raise
        except httpx.TooManyRedirects:
            raise FetchError(f"more than {self.policy.max_redirects} redirects") from None
        except httpx.TimeoutException as exc:
            raise FetchError(f"timed out ({type(exc).__name__})") from None
        except httpx.UnsupportedProtocol as exc:
            raise FetchError(f"unsupported URL: {exc}") from None
        except (httpx.InvalidURL, UnicodeError) as exc:
            # InvalidURL is not an HTTPError; a bad host name fails IDNA encoding (UnicodeError).
            raise FetchError(f"invalid URL: {exc}") from None
        except httpx.HTTPError as exc:
            raise FetchError(f"connection failed: {exc}") from None

    def _read(self, response: httpx.Response, started: float, deadline: float) -> FetchResponse:
        # Location may be relative; whoever moves the source to the new address needs it absolute.
        permanent = next(
            (
                urljoin(str(r.url), r.headers["location"])
                for r in response.history
                if r.status_code in (301, 308) and "location" in r.headers
            ),
            None,
        )
        result = FetchResponse(
            url=str(response.url),
            status=response.status_code,
            headers=dict(response.headers),
            permanent_redirect=permanent,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            max_age=_max_age(response.headers.get("cache-control")),
            link_hub=_link(response, "hub"),
            link_self=_link(response, "self"),
        )
        if response.status_code == 304:
            result.not_modified = True
            result.elapsed = time.monotonic() - started
            return result
        if response.status_code in (429, 503):
            raise FetchError(
                f"HTTP {response.status_code} (the server asks us to slow down)",
                retry_after=_retry_after(response.headers.get("retry-after")),
                status=response.status_code,
            )
        if response.status_code == 410:
            raise FetchError(
                "HTTP 410 Gone: the publisher removed this feed for good; replace or remove "
                "the source",
                status=410,
            )
        if response.status_code >= 400:
            raise FetchError(
                f"HTTP {response.status_code} {response.reason_phrase}".strip(),
                status=response.status_code,
            )
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.policy.max_bytes:
            raise FetchError(
                f"response is {declared} bytes, over the {self.policy.max_bytes} limit"
            )
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.policy.max_bytes:
                raise FetchError(f"response is over the {self.policy.max_bytes} byte limit")
            if time.monotonic() > deadline:
                raise FetchError(f"took longer than the {self.policy.total_timeout:g}s deadline")
            chunks.append(chunk)
        result.body = b"".join(chunks)
        result.elapsed = time.monotonic() - started
        return result

    def post_form(
        self, url: str, data: Mapping[str, str], allow_private: bool | None = None
    ) -> FetchResponse:
        """POST a form (a WebSub hub request) and return any answer, errors included.

        Redirects are not followed: a POST that moved is the caller's to report, not to resend.
        """
        limit = 4096  # a hub answers with a status and at most a short message
        allow = self.policy.allow_private_addresses if allow_private is None else allow_private
        client = self._open if allow else self._guarded
        started = time.monotonic()
        deadline = started + self.policy.total_timeout
        with (
            self._as_fetch_errors(),
            client.stream("POST", url, data=dict(data), follow_redirects=False) as response,
        ):
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size >= limit or time.monotonic() > deadline:
                    break
            return FetchResponse(
                url=str(response.url),
                status=response.status_code,
                headers=dict(response.headers),
                body=b"".join(chunks)[:limit],
                elapsed=time.monotonic() - started,
            )
