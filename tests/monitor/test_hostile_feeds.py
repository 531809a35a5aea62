"""Hostile feeds through the whole collector: each is bounded, recorded on its source with a
clear reason, and none blocks or crashes the others."""

from __future__ import annotations

import contextlib
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from monitor.classify import ModelProvider
from monitor.config import Settings
from monitor.pipeline import Ingestor
from monitor.scheduler import Collector
from monitor.store.db import Database
from monitor.store.models import Mention, Source
from tests.conftest import rss

GOOD = rss(
    {"title": "Stroomlijn storing", "guid": "g1", "description": "Al uren geen stroom, Stroomlijn"}
).encode()

ENTITY = "x" * 10_000
ENTITY_BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY big "' + ENTITY + '">\n]>\n'
    '<rss version="2.0"><channel><title>bomb</title>'
    "<item><title>Stroomlijn bomb</title><description>"
    + "&big;" * 50_000
    + "</description><guid>b1</guid></item></channel></rss>"
).encode()

# Well-formedness ends half way: what feedparser can read before the break is kept.
TRUNCATED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
    b"<item><title>Stroomlijn eerste</title><guid>t1</guid><description>heel</description></item>"
    b"<item><title>Stroomlijn tweede</title><guid>t2</guid><description>ook heel</description>"
    b"</item><item><title>Stroomlijn derde &amp broken <b>unclosed"
)

# Declares UTF-8, is Latin-1: the text must still come out readable.
MISLABELLED = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
    "<item><title>Stroomlijn caf\xe9</title><guid>m1</guid>"
    "<description>Cr\xe8me br\xfbl\xe9e bij Stroomlijn</description></item></channel></rss>"
).encode("latin-1")


def _bomb() -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip framing
    chunk = b"\0" * (1024 * 1024)
    out = [compressor.compress(chunk) for _ in range(200)]  # 200 MB of zeros
    return b"".join(out) + compressor.flush()


GZIP_BOMB = _bomb()


class HostileServer:
    def __init__(self) -> None:
        self.stop = threading.Event()
        stop = self.stop

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def _send(self, status: int, body: bytes, **headers: str) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name.replace("_", "-"), value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.route()

            def route(self) -> None:
                path = self.path
                if path == "/good":
                    self._send(200, GOOD, Content_Type="application/rss+xml")
                elif path == "/huge":  # 50 MB, no Content-Length: only counting can stop it
                    self.send_response(200)
                    self.send_header("Content-Type", "application/rss+xml")
                    self.end_headers()
                    self.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
                    block = b"<item><title>Stroomlijn</title></item>" * 1000
                    for _ in range(50 * 1024 * 1024 // len(block)):
                        if stop.is_set():
                            return
                        self.wfile.write(block)
                elif path == "/gzip-bomb":
                    self._send(200, GZIP_BOMB, Content_Encoding="gzip")
                elif path == "/entity-bomb":
                    self._send(200, ENTITY_BOMB, Content_Type="application/rss+xml")
                elif path.startswith("/loop"):
                    n = int(path.removeprefix("/loop") or 0)
                    self._send(302, b"", Location=f"/loop{n + 1}")
                elif path == "/drip":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/rss+xml")
                    self.end_headers()
                    for byte in GOOD:
                        if stop.wait(0.5):
                            return
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                elif path == "/html":
                    self._send(200, b"<!DOCTYPE html><html><body>Login</body></html>")
                elif path == "/truncated":
                    self._send(200, TRUNCATED, Content_Type="application/rss+xml")
                elif path == "/mislabelled":
                    self._send(200, MISLABELLED, Content_Type="text/xml; charset=utf-8")
                else:
                    self._send(404, b"")

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
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


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    server = HostileServer()
    yield server
    server.close()


ROUTES = (
    "good",
    "huge",
    "gzip-bomb",
    "entity-bomb",
    "loop",
    "drip",
    "html",
    "truncated",
    "mislabelled",
)


def test_every_hostile_feed_is_bounded_and_recorded_and_the_good_one_still_arrives(
    db: Database, settings_for: Callable[..., Settings], hostile: HostileServer
) -> None:
    settings = settings_for(
        [
            {"name": name, "url": hostile.url(f"/{name}"), "allow_private_addresses": True}
            for name in ROUTES
        ],
        fetch={
            "total_timeout": "3s",
            "max_bytes": 2 * 1024 * 1024,
            "max_redirects": 5,
            "concurrency": 4,
            "per_host": 4,
        },
    )
    collector = Collector(settings, db, Ingestor(settings, db, ModelProvider(db)))
    started = time.monotonic()
    try:
        outcomes = {o.name: o for o in collector.collect_once()}
    finally:
        collector.close()
    # Nothing hangs: the drip and the 50 MB stream are cut off by the deadline and the size cap.
    assert time.monotonic() - started < 60
    errors = {name: outcome.error or "" for name, outcome in outcomes.items()}
    assert outcomes["good"].ok and outcomes["good"].report.new == 1
    assert "byte limit" in errors["huge"]
    assert "byte limit" in errors["gzip-bomb"]
    assert "more than 5 redirects" in errors["loop"]
    assert "deadline" in errors["drip"]
    assert "HTML page, not a feed" in errors["html"]
    # The entity bomb's oversized entity is dropped, not expanded: its item still arrives.
    assert outcomes["entity-bomb"].ok and outcomes["entity-bomb"].report.received == 1
    assert outcomes["truncated"].ok and outcomes["truncated"].report.received >= 2
    assert outcomes["mislabelled"].ok
    with db.read() as session:
        sources = {s.name: s for s in session.scalars(select(Source))}
        for name in ("huge", "gzip-bomb", "loop", "drip", "html"):
            assert sources[name].consecutive_errors == 1
            assert sources[name].last_error == errors[name]
            assert sources[name].failing_since is not None
            assert sources[name].lease_owner is None
        mentions = {m.title: m for m in session.scalars(select(Mention))}
    assert mentions["Stroomlijn café"].text == "Crème brûlée bij Stroomlijn"
    assert {"Stroomlijn eerste", "Stroomlijn tweede"} <= set(mentions)
    assert len(mentions["Stroomlijn bomb"].text) <= 20_000
