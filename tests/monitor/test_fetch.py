"""The HTTP client against a real local server: SSRF guard, limits, redirects, conditional GET."""

from __future__ import annotations

import contextlib
import gzip
import threading
import time
from collections.abc import Callable, Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import brotli
import pytest

from monitor.errors import BlockedAddressError, FetchError
from monitor.fetch import Fetcher, FetchPolicy, is_forbidden_address

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
ETAG = '"v1"'
LAST_MODIFIED = "Mon, 06 May 2024 08:30:00 GMT"
MAX_BYTES = 4096
DRIP_FOR = 3.0  # seconds the slow route keeps dripping at most, whoever is listening


class LocalServer:
    """An http.server on 127.0.0.1 with a free port, serving the ROUTES below."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        self.stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            # HTTP/1.0 lets a route end its body by closing the connection (no Content-Length).
            protocol_version = "HTTP/1.0"

            def do_GET(self) -> None:
                server.requests.append({k.lower(): v for k, v in self.headers.items()})
                route = ROUTES.get(self.path) or ROUTES.get(self.path.rsplit("/", 1)[0] + "/")
                if route is None:
                    self.send_error(404)
                    return
                # The client may give up half way, as some tests intend.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    route(self, server)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        # A short poll interval lets shutdown() return at once instead of after half a second.
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def _send(handler: BaseHTTPRequestHandler, status: int, body: bytes = b"", **headers: str) -> None:
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def feed(handler: BaseHTTPRequestHandler, server: LocalServer) -> None:
    _send(handler, 200, FEED, Content_Type="application/rss+xml")


def conditional(handler: BaseHTTPRequestHandler, server: LocalServer) -> None:
    if handler.headers.get("If-None-Match") == ETAG or (
        handler.headers.get("If-Modified-Since") == LAST_MODIFIED
    ):
        _send(handler, 304, ETag=ETAG)
        return
    _send(handler, 200, FEED, ETag=ETAG, Last_Modified=LAST_MODIFIED)


def too_many_requests(handler: BaseHTTPRequestHandler, server: LocalServer) -> None:
    _send(handler, 429, b"slow down", Retry_After="120")


def unavailable_until(handler: BaseHTTPRequestHandler, server: LocalServer) -> None:
    _send(handler, 503, b"later", Retry_After=formatdate(time.time() + 600, usegmt=True))


def server_error(handler: BaseHTTPRequestHandler, server: LocalServer) -> None:
    _send(handler, 500, b"oops")


def not_found(handler: BaseHTTPRequestHandler, server: LocalServer) -> None:
    _send(handler, 404, b"gone")


def big_declared(handler: BaseHTTPRequestHandler, server: LocalServer) -> None:
    _send(handler, 200, b"x" * (MAX_BYTES * 2))


def big_undeclared(handler: BaseHTTPRequestHandler, server: LocalServer) -> None:
    handler.send_response(200)
    handler.end_headers()  # no Content-Length: the body ends when the connection closes
    for _ in range(8):
        handler.wfile.write(b"x" * (MAX_BYTES // 2))


def gzipped(handler: BaseHTTPRequestHandler, server: LocalServer) -> None:
    _send(handler, 200, gzip.compress(FEED), Content_Encoding="gzip")


def brotli_encoded(handler: BaseHTTPRequestHandler, server: LocalServer) -> None:
    _send(handler, 200, brotli.compress(FEED), Content_Encoding="br")


def with_hints(handler: BaseHTTPRequestHandler, server: LocalServer) -> None:
    _send(
        handler,
        200,
        FEED,
        Cache_Control="public, max-age=900",
        Link='<https://hub.example.net/>; rel="hub", </feeds/main.xml>; rel="self"',
    )


def gone(handler: BaseHTTPRequestHandler, server: LocalServer) -> None:
    _send(handler, 410)


def gzip_bomb(handler: BaseHTTPRequestHandler, server: LocalServer) -> None:
    _send(handler, 200, gzip.compress(b"\0" * (MAX_BYTES * 50)), Content_Encoding="gzip")


def drip(handler: BaseHTTPRequestHandler, server: LocalServer) -> None:
    handler.send_response(200)
    handler.end_headers()
    handler.wfile.flush()
    ends = time.monotonic() + DRIP_FOR
    # One byte every 50 ms: never silent long enough for the read timeout, but never done.
    while time.monotonic() < ends and not server.stop.wait(0.05):
        handler.wfile.write(b"x")
        handler.wfile.flush()


def redirect(handler: BaseHTTPRequestHandler, server: LocalServer) -> None:
    remaining = int(handler.path.rsplit("/", 1)[1])
    if remaining == 0:
        _send(handler, 200, FEED)
    else:
        _send(handler, 302, Location=f"/redirect/{remaining - 1}")


def moved(handler: BaseHTTPRequestHandler, server: LocalServer) -> None:
    _send(handler, 301, Location="/feed")


ROUTES: dict[str, Callable[[BaseHTTPRequestHandler, LocalServer], None]] = {
    "/feed": feed,
    "/conditional": conditional,
    "/429": too_many_requests,
    "/503": unavailable_until,
    "/500": server_error,
    "/404": not_found,
    "/big-declared": big_declared,
    "/big-undeclared": big_undeclared,
    "/gzip": gzipped,
    "/gzip-bomb": gzip_bomb,
    "/brotli": brotli_encoded,
    "/hints": with_hints,
    "/gone": gone,
    "/drip": drip,
    "/redirect/": redirect,
    "/moved": moved,
}


@pytest.fixture
def server() -> Iterator[LocalServer]:
    local = LocalServer()
    yield local
    local.close()


def make_fetcher(**policy: object) -> Fetcher:
    settings: dict[str, object] = {
        "connect_timeout": 2.0,
        "read_timeout": 2.0,
        "total_timeout": 5.0,
        "max_bytes": MAX_BYTES,
        "max_redirects": 3,
        "user_agent": "WebcareTriage-test/1.0",
        "allow_private_addresses": True,
        **policy,
    }
    return Fetcher(FetchPolicy(**settings))  # type: ignore[arg-type]


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    client = make_fetcher()
    yield client
    client.close()


@pytest.fixture
def guarded() -> Iterator[Fetcher]:
    client = make_fetcher(allow_private_addresses=False)
    yield client
    client.close()


# --- the SSRF guard -------------------------------------------------------------------------------


def test_a_loopback_url_is_refused_by_default_with_a_hint_on_allowing_it(
    server: LocalServer, guarded: Fetcher
) -> None:
    with pytest.raises(BlockedAddressError) as caught:
        guarded.get(server.url("/feed"))
    message = str(caught.value)
    assert "127.0.0.1" in message
    assert "allow_private_addresses = true" in message
    assert server.requests == []


def test_a_name_that_resolves_to_loopback_is_refused_too(
    server: LocalServer, guarded: Fetcher
) -> None:
    url = server.url("/feed").replace("127.0.0.1", "localhost")
    with pytest.raises(BlockedAddressError):
        guarded.get(url)
    assert server.requests == []


def test_a_blocked_address_is_a_fetch_error_for_callers_that_catch_those() -> None:
    assert issubclass(BlockedAddressError, FetchError)


def test_a_loopback_url_is_fetched_when_the_call_allows_private_addresses(
    server: LocalServer, guarded: Fetcher
) -> None:
    response = guarded.get(server.url("/feed"), allow_private=True)
    assert response.status == 200
    assert response.body == FEED


def test_a_loopback_url_is_fetched_when_the_policy_allows_private_addresses(
    server: LocalServer, fetcher: Fetcher
) -> None:
    assert fetcher.get(server.url("/feed")).body == FEED


def test_a_source_can_refuse_private_addresses_that_the_policy_allows(
    server: LocalServer, fetcher: Fetcher
) -> None:
    with pytest.raises(BlockedAddressError):
        fetcher.get(server.url("/feed"), allow_private=False)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "fd00::1",
        "fe80::1",
        "fe80::1%eth0",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "::ffff:10.0.0.1",
    ],
)
def test_internal_addresses_are_forbidden(address: str) -> None:
    assert is_forbidden_address(address)


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"]
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert not is_forbidden_address(address)


# --- what is sent and received --------------------------------------------------------------------


def test_the_user_agent_from_the_policy_is_sent(server: LocalServer, fetcher: Fetcher) -> None:
    fetcher.get(server.url("/feed"))
    assert server.requests[0]["user-agent"] == "WebcareTriage-test/1.0"


def test_extra_headers_of_a_source_are_sent(server: LocalServer, fetcher: Fetcher) -> None:
    fetcher.get(server.url("/feed"), headers={"X-Api-Key": "secret"})
    assert server.requests[0]["x-api-key"] == "secret"


def test_a_successful_fetch_reports_status_headers_and_body(
    server: LocalServer, fetcher: Fetcher
) -> None:
    response = fetcher.get(server.url("/feed"))
    assert response.status == 200
    assert response.url == server.url("/feed")
    assert response.headers["content-type"] == "application/rss+xml"
    assert response.body == FEED
    assert response.not_modified is False
    assert response.permanent_redirect is None
    assert response.elapsed >= 0


def test_a_gzip_encoded_body_is_decoded(server: LocalServer, fetcher: Fetcher) -> None:
    response = fetcher.get(server.url("/gzip"))
    assert response.body == FEED
    assert "gzip" in server.requests[0]["accept-encoding"]


# --- conditional GET ------------------------------------------------------------------------------


def test_the_first_fetch_returns_the_validators(server: LocalServer, fetcher: Fetcher) -> None:
    response = fetcher.get(server.url("/conditional"))
    assert response.etag == ETAG
    assert response.last_modified == LAST_MODIFIED
    assert response.body == FEED
    assert "if-none-match" not in server.requests[0]


def test_a_matching_etag_gives_not_modified_without_a_body(
    server: LocalServer, fetcher: Fetcher
) -> None:
    response = fetcher.get(server.url("/conditional"), etag=ETAG)
    assert server.requests[0]["if-none-match"] == ETAG
    assert response.not_modified is True
    assert response.status == 304
    assert response.body == b""


def test_a_matching_last_modified_gives_not_modified(server: LocalServer, fetcher: Fetcher) -> None:
    response = fetcher.get(server.url("/conditional"), last_modified=LAST_MODIFIED)
    assert server.requests[0]["if-modified-since"] == LAST_MODIFIED
    assert response.not_modified is True


def test_a_stale_etag_gets_the_full_body(server: LocalServer, fetcher: Fetcher) -> None:
    response = fetcher.get(server.url("/conditional"), etag='"v0"')
    assert response.not_modified is False
    assert response.body == FEED


# --- HTTP errors ----------------------------------------------------------------------------------


def test_too_many_requests_says_when_to_retry(server: LocalServer, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError) as caught:
        fetcher.get(server.url("/429"))
    assert str(caught.value) == "HTTP 429 (the server asks us to slow down)"
    assert caught.value.retry_after == 120.0


def test_service_unavailable_with_a_retry_date_says_how_long_to_wait(
    server: LocalServer, fetcher: Fetcher
) -> None:
    with pytest.raises(FetchError) as caught:
        fetcher.get(server.url("/503"))
    assert str(caught.value).startswith("HTTP 503")
    assert caught.value.retry_after is not None
    assert 500 < caught.value.retry_after <= 600


def test_a_server_error_is_a_fetch_error_with_the_status(
    server: LocalServer, fetcher: Fetcher
) -> None:
    with pytest.raises(FetchError) as caught:
        fetcher.get(server.url("/500"))
    assert str(caught.value) == "HTTP 500 Internal Server Error"
    assert caught.value.retry_after is None


def test_a_missing_page_is_a_fetch_error_with_the_status(
    server: LocalServer, fetcher: Fetcher
) -> None:
    with pytest.raises(FetchError, match=r"^HTTP 404 Not Found$"):
        fetcher.get(server.url("/404"))


def test_a_refused_connection_is_a_fetch_error(fetcher: Fetcher) -> None:
    closed = LocalServer()
    url = closed.url("/feed")
    closed.close()
    with pytest.raises(FetchError, match="connection failed"):
        fetcher.get(url)


@pytest.mark.parametrize("url", ["ftp://example.org/feed", "example.org/feed"])
def test_a_url_without_http_is_an_unsupported_url(fetcher: Fetcher, url: str) -> None:
    with pytest.raises(FetchError, match="unsupported URL"):
        fetcher.get(url)


@pytest.mark.parametrize("url", ["http://a:b:c/", "http://xn--/", "http://127.0.0.1:1:1/"])
def test_a_malformed_url_is_a_fetch_error(fetcher: Fetcher, guarded: Fetcher, url: str) -> None:
    for client in (fetcher, guarded):
        with pytest.raises(FetchError, match="invalid URL"):
            client.get(url)


# --- size limits ----------------------------------------------------------------------------------


def test_a_body_declared_over_the_limit_is_refused(server: LocalServer, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError) as caught:
        fetcher.get(server.url("/big-declared"))
    assert str(caught.value) == (f"response is {MAX_BYTES * 2} bytes, over the {MAX_BYTES} limit")


def test_a_body_over_the_limit_without_a_declared_length_is_refused(
    server: LocalServer, fetcher: Fetcher
) -> None:
    with pytest.raises(FetchError) as caught:
        fetcher.get(server.url("/big-undeclared"))
    assert str(caught.value) == f"response is over the {MAX_BYTES} byte limit"


def test_a_compressed_body_is_limited_by_its_decompressed_size(
    server: LocalServer, fetcher: Fetcher
) -> None:
    with pytest.raises(FetchError, match=f"over the {MAX_BYTES} byte limit"):
        fetcher.get(server.url("/gzip-bomb"))


def test_a_body_within_the_limit_is_read_whole(server: LocalServer) -> None:
    client = make_fetcher(max_bytes=len(FEED))
    try:
        assert client.get(server.url("/feed")).body == FEED
    finally:
        client.close()


# --- redirects ------------------------------------------------------------------------------------


def test_redirects_are_followed_to_the_final_url(server: LocalServer, fetcher: Fetcher) -> None:
    response = fetcher.get(server.url("/redirect/3"))
    assert response.body == FEED
    assert response.url == server.url("/redirect/0")
    assert response.permanent_redirect is None
    assert len(server.requests) == 4


def test_more_redirects_than_allowed_fail_with_a_clear_message(
    server: LocalServer, fetcher: Fetcher
) -> None:
    with pytest.raises(FetchError) as caught:
        fetcher.get(server.url("/redirect/4"))
    assert str(caught.value) == "more than 3 redirects"


def test_redirects_can_be_turned_off(server: LocalServer) -> None:
    client = make_fetcher(max_redirects=0)
    try:
        with pytest.raises(FetchError, match="more than 0 redirects"):
            client.get(server.url("/redirect/1"))
    finally:
        client.close()


def test_a_permanent_redirect_reports_the_new_absolute_address(
    server: LocalServer, fetcher: Fetcher
) -> None:
    response = fetcher.get(server.url("/moved"))
    assert response.body == FEED
    assert response.permanent_redirect == server.url("/feed")


# --- the total deadline ---------------------------------------------------------------------------


def test_a_body_that_drips_past_the_total_timeout_is_abandoned(server: LocalServer) -> None:
    client = make_fetcher(total_timeout=1.0, read_timeout=2.0, max_bytes=10_000)
    started = time.monotonic()
    try:
        with pytest.raises(FetchError) as caught:
            client.get(server.url("/drip"))
    finally:
        client.close()
    assert str(caught.value) == "took longer than the 1s deadline"
    assert time.monotonic() - started < DRIP_FOR


@pytest.mark.parametrize(
    "address",
    ["2002:7f00:1::1", "2002:c0a8:101::1", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe"],
)
def test_ipv6_forms_that_wrap_a_private_ipv4_address_are_refused(address: str) -> None:
    assert is_forbidden_address(address)


def test_ipv6_forms_that_wrap_a_public_ipv4_address_are_allowed() -> None:
    assert not is_forbidden_address("64:ff9b::5db8:d822")  # 93.184.216.34


def test_a_retry_after_date_without_a_zone_is_utc() -> None:
    from datetime import UTC, datetime, timedelta
    from email.utils import format_datetime

    from monitor.fetch import _retry_after

    later = datetime.now(UTC) + timedelta(hours=1)
    value = format_datetime(later.replace(tzinfo=None))  # rendered with "-0000"
    assert "-0000" in value
    assert 3500 < (_retry_after(value) or 0) <= 3600


def test_a_brotli_encoded_body_is_decoded(server: LocalServer, fetcher: Fetcher) -> None:
    response = fetcher.get(server.url("/brotli"))
    assert response.body == FEED
    assert "br" in server.requests[0]["accept-encoding"]


def test_cache_lifetime_and_websub_links_are_read_from_the_headers(
    server: LocalServer, fetcher: Fetcher
) -> None:
    response = fetcher.get(server.url("/hints"))
    assert response.max_age == 900
    assert response.link_hub == "https://hub.example.net/"
    assert response.link_self == server.url("/feeds/main.xml")


def test_gone_says_the_feed_was_removed_for_good(server: LocalServer, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match="410 Gone: the publisher removed this feed") as caught:
        fetcher.get(server.url("/gone"))
    assert caught.value.status == 410
