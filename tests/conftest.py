"""Shared fixtures: real databases (SQLite, PostgreSQL), a real feed server, settings."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from classifiers import serialize
from classifiers.corpus import seed_corpus
from classifiers.train import train
from monitor.config import Settings, normalise_database_url, settings_from_mapping
from monitor.store import migrate, model_versions
from monitor.store.db import Database
from monitor.store.sources import sync_sources
from monitor.store.users import ensure_teams

REPO = Path(__file__).resolve().parents[1]
DATASETS = REPO.parent / "shared" / "datasets"
POSTGRES_URL = normalise_database_url(
    os.environ.get("WEBCARE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
)
IN_CI = os.environ.get("CI", "").lower() == "true"


def _postgres_problem() -> str | None:
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any reason at all means: no PostgreSQL here
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {str(exc).splitlines()[0]}"
    return None


_POSTGRES_PROBLEM: list[str | None] = []


def require_postgres() -> None:
    if not _POSTGRES_PROBLEM:
        _POSTGRES_PROBLEM.append(_postgres_problem())
    problem = _POSTGRES_PROBLEM[0]
    if problem:
        if IN_CI:
            pytest.fail(f"{problem} (under CI=true the PostgreSQL tests must run)")
        pytest.skip(problem)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a fresh schema in the PostgreSQL test database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'webcare.db'}"
        return
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@dataclass(frozen=True)
class TrainedModel:
    version: str
    payload: bytes
    metrics: dict[str, Any]


@pytest.fixture(scope="session")
def seed_model() -> TrainedModel:
    """The seed model, trained once per test run and copied into each test database."""
    result = train(seed_corpus())
    return TrainedModel(
        result.model.version, serialize.dumps(result.model.pipeline), result.metrics
    )


@pytest.fixture
def db(database_url: str, seed_model: TrainedModel) -> Iterator[Database]:
    """A migrated database with the teams and the seed model live."""
    database = Database(database_url)
    migrate.upgrade(database)
    with database.write() as session:
        ensure_teams(session)
        model_versions.add_version(
            session, seed_model.version, seed_model.payload, seed_model.metrics, make_live=True
        )
    yield database
    database.dispose()


BRAND_QUERY = 'stroomlijn OR "stroomlijn energie" NOT "stroomlijn architecten"'


def make_settings(
    database_url: str,
    *,
    sources: list[dict[str, Any]] | None = None,
    tmp_path: Path | None = None,
    **sections: Any,
) -> Settings:
    data: dict[str, Any] = {
        "database": {"url": database_url},
        "brands": [{"name": "Stroomlijn Energie", "query": BRAND_QUERY}],
        "sources": sources or [],
        "scheduler": {"tick": "1s", "lease": "60s"},
        "fetch": {"total_timeout": "10s", "connect_timeout": "3s", "read_timeout": "5s"},
    }
    if tmp_path is not None:
        data["paths"] = {"instance": str(tmp_path / "instance")}
    for name, value in sections.items():
        data[name] = {**data.get(name, {}), **value} if isinstance(value, dict) else value
    return settings_from_mapping(data, origin="test-config.toml")


@pytest.fixture
def settings_for(db: Database, tmp_path: Path) -> Callable[..., Settings]:
    """Builds settings for the test database and syncs their sources into it."""

    def build(sources: list[dict[str, Any]] | None = None, **sections: Any) -> Settings:
        settings = make_settings(db.url, sources=sources, tmp_path=tmp_path, **sections)
        with db.write() as session:
            sync_sources(session, settings)
        return settings

    return build


# --- a real HTTP server for feeds -------------------------------------------------------------


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    hits: int = 0
    request_headers: list[dict[str, str]] = field(default_factory=list)


class FeedServer:
    """Serves whatever the test registers, on 127.0.0.1 with a free port."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        routes = self.routes

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                route = routes.get(self.path)
                if route is None:
                    self.send_error(404)
                    return
                route.hits += 1
                route.request_headers.append(dict(self.headers.items()))
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def serve(
        self,
        path: str,
        body: bytes | str,
        *,
        status: int = 200,
        content_type: str = "application/rss+xml; charset=utf-8",
        **headers: str,
    ) -> str:
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = Route(status, data, {"Content-Type": content_type, **headers})
        return self.base_url + path

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    yield server
    server.stop()


def rss(*items: dict[str, str], title: str = "Test feed") -> str:
    """A small RSS 2.0 document; each item may give title, link, guid, description, author."""
    from xml.sax.saxutils import escape

    body = "".join(
        "<item>"
        + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in item.items() if k != "pubDate")
        + (f"<pubDate>{item['pubDate']}</pubDate>" if "pubDate" in item else "")
        + "</item>"
        for item in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>http://example.org/</link><description>t</description>"
        f"{body}</channel></rss>"
    )


# --- real receivers for alerts: an HTTP endpoint and an SMTP server ---------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        import json

        return json.loads(self.body)


class Receiver:
    """Records every POST; answers with the statuses queued in `answers`, then 200."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.answers: list[int] = []
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.arrived:
                    status = receiver.answers.pop(0) if receiver.answers else 200
                    if status < 300:
                        receiver.received.append(
                            Received(self.path, dict(self.headers.items()), body)
                        )
                    receiver.arrived.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        ).start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.httpd.server_address[1]}"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.received) >= count, timeout=timeout)
        return list(self.received)

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.stop()


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    message: Any  # email.message.EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return str(part.get_content()) if part is not None else ""


class SmtpServer:
    """A real SMTP server (aiosmtpd) on a free loopback port that keeps what it receives."""

    def __init__(self) -> None:
        import email
        import email.policy
        import socket

        from aiosmtpd.controller import Controller

        self.mails: list[Mail] = []
        self.arrived = threading.Condition()
        server = self

        class Handler:
            async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
                message = email.message_from_bytes(envelope.content, policy=email.policy.default)
                with server.arrived:
                    server.mails.append(Mail(envelope.mail_from, list(envelope.rcpt_tos), message))
                    server.arrived.notify_all()
                return "250 OK"

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Mail]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.mails) >= count, timeout=timeout)
        return list(self.mails)

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    yield server
    server.stop()
