"""The queue page and the JSON list with 1,000,000 mentions stored, on SQLite and PostgreSQL.

A year of mentions: three teams, 2% of them still open, the rest resolved or dismissed. The
web app runs as `webcare serve` does (waitress, in its own process); 20 clients, each logged in
as an agent, ask for their team's queue page or the API's open list. Two loads:
- working: each client waits about a second between requests, as agents reading do;
- flat out: no waiting, for what the two cores can serve.

BENCH_MENTIONS sets the size; BENCH_SECONDS how long each load runs.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import re
import socket
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, text

from bench.dedup import _key, postgres_url, scratch_schema
from monitor.config import settings_from_mapping
from monitor.store import migrate
from monitor.store.db import Database
from monitor.store.models import Mention, utcnow
from monitor.store.sources import sync_sources
from monitor.store.users import add_user, create_token

MENTIONS = int(os.environ.get("BENCH_MENTIONS", "1000000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
CLIENTS = 20
PASSWORD = "bench password"
TEAMS = (("webcare", 0.5), ("customer_service", 0.35), ("spokesperson", 0.15))
CATEGORIES = ("complaint", "question", "journalist_inquiry", "praise", "other")
SOURCES = [f"source-{n}" for n in range(10)]
OPEN = ("new", "new", "assigned", "in_progress", "waiting")
CLOSED = ("resolved", "resolved", "dismissed")


def _mapping(url: str, folder: str) -> dict[str, Any]:
    return {
        "database": {"url": url},
        "paths": {"instance": folder},
        "web": {"secret_key": "bench"},
        "brands": [{"name": "Stroomlijn", "query": "stroomlijn"}],
        "sources": [{"name": name, "url": f"https://{name}.example/feed"} for name in SOURCES],
        "demo": {"enabled": False},
    }


def _team(n: int) -> str:
    """Agent n's team: ten in webcare, six in customer service, four in the spokesperson's."""
    return "webcare" if n < 10 else "customer_service" if n < 16 else "spokesperson"


def _fill(db: Database, mapping: dict[str, Any]) -> list[str]:
    """A year of mentions and 20 agents; returns an API token per agent."""
    settings = settings_from_mapping(mapping)
    tokens = []
    agents: dict[str, list[int]] = {team: [] for team, _ in TEAMS}
    with db.write() as session:
        sync_sources(session, settings)
        add_user(session, "admin", role="admin", password=PASSWORD)
        for n in range(CLIENTS):
            team = _team(n)
            agent = add_user(session, f"agent{n}", role="agent", teams=[team], password=PASSWORD)
            tokens.append(create_token(session, agent))
            session.flush()
            agents[team].append(agent.id)
    rng = random.Random(3)
    now = utcnow()
    teams = [t for t, _ in TEAMS]
    weights = [w for _, w in TEAMS]
    with db.engine.begin() as connection:
        batch = 20_000
        for start in range(0, MENTIONS, batch):
            rows = []
            for i in range(start, min(start + batch, MENTIONS)):
                # Older mentions are closed; the open ones are mostly from the last days.
                age = timedelta(seconds=(MENTIONS - i) / MENTIONS * 365 * 86400)
                at = now - age
                open_ = (age < timedelta(days=14) and rng.random() < 0.5) or rng.random() < 0.01
                status = rng.choice(OPEN if open_ else CLOSED)
                team = rng.choices(teams, weights)[0]
                # Taken mentions have someone on them: the page shows who.
                assignee = None if status == "new" else rng.choice(agents[team])
                rows.append({
                    "dedup_key": _key("d", i), "url_key": _key("u", i),
                    "content_hash": _key("c", i),
                    "source_id": 1 + i % len(SOURCES), "brand": "Stroomlijn",
                    "url": f"https://example.org/{i}", "title": f"Bericht {i} over Stroomlijn",
                    "text": f"Stroomlijn bericht nummer {i}: " + "de storing duurt lang " * 8,
                    "author": f"@klant{i % 5000}", "language": "nl", "published_at": at,
                    "collected_at": at, "matched": [], "category": rng.choice(CATEGORIES),
                    "confidence": 0.8, "model_version": "bench", "needs_review": False,
                    "team": team, "status": status, "assignee_id": assignee,
                    "priority": rng.randrange(10, 96), "updated_at": at, "sightings_count": 1,
                    "first_response_at": None if status == "new" else at + timedelta(hours=1),
                    "resolved_at": None if open_ else at + timedelta(hours=5),
                    "assigned_at": None if assignee is None else at + timedelta(minutes=30),
                })  # fmt: skip
            connection.execute(insert(Mention), rows)
    if db.is_postgresql:
        # What autovacuum does soon after a bulk load: statistics, and the visibility map that
        # lets counts read the index alone.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE mentions"))
    return tokens


def _serve(mapping: dict[str, Any], port: int, ready: Any) -> None:
    import logging

    from waitress import create_server

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "task queue depth" under load
    from webui import create_app

    settings = settings_from_mapping(mapping)
    app = create_app(settings, Database(settings.database.url))
    server = create_server(app, host="127.0.0.1", port=port, threads=8)
    ready.set()
    server.run()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _client(base: str, n: int) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', page
    )
    assert token, "no CSRF token on the login page"
    answer = client.post("/login", data={"username": f"agent{n}", "password": PASSWORD,
                                         "csrf_token": token.group(1)})  # fmt: skip
    assert answer.status_code == 302, answer.text[:300]
    return client


def _load(base: str, tokens: list[str], think: float, seconds: float) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {"page": [], "api": []}
    lock = threading.Lock()
    clients = [_client(base, n) for n in range(CLIENTS)]  # logged in before the clock runs
    stop = time.monotonic() + seconds

    def work(n: int) -> None:
        client = clients[n]
        team = _team(n)
        rng = random.Random(n)
        bearer = {"Authorization": f"Bearer {tokens[n]}"}
        if think:  # agents do not all click at the same moment
            time.sleep(rng.uniform(0, think))
        while time.monotonic() < stop:
            kind = "page" if rng.random() < 0.5 else "api"
            started = time.perf_counter()
            if kind == "page":
                response = client.get(f"/queue/{team}")
            else:
                response = client.get(f"/api/v1/mentions?team={team}&status=open",
                                      headers=bearer, cookies={})  # fmt: skip
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, (kind, response.status_code, response.text[:200])
            with lock:
                timings[kind].append(elapsed)
            if think:
                time.sleep(rng.uniform(think / 2, think * 1.5))
        client.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings


def _figures(label: str, url: str, folder: str) -> list[tuple[str, str]]:
    mapping = _mapping(url, folder)
    db = Database(url)
    migrate.upgrade(db)
    started = time.perf_counter()
    tokens = _fill(db, mapping)
    filled = time.perf_counter() - started
    db.dispose()
    port = _free_port()
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    server = context.Process(target=_serve, args=(mapping, port, ready), daemon=True)
    server.start()
    try:
        if not ready.wait(120):
            raise RuntimeError("the web app did not start")
        base = f"http://127.0.0.1:{port}"
        _load(base, tokens, 0.0, 3)  # warm up: connections, caches, the page templates
        rows = [(f"{label}: time to store {MENTIONS:,} mentions", f"{filled:.0f}s")]
        for think, load in ((1.0, "20 agents working"), (0.0, "20 clients flat out")):
            timings = _load(base, tokens, think, SECONDS)
            for kind, name in (("page", "queue page"), ("api", "JSON list")):
                values = sorted(timings[kind])
                p50 = statistics.median(values) * 1000
                p95 = values[int(len(values) * 0.95)] * 1000
                rows.append((f"{label}, {load}: {name} p50 / p95 (ms)", f"{p50:.0f} / {p95:.0f}"))
            served = sum(len(v) for v in timings.values())
            rows.append((f"{label}, {load}: requests per second", f"{served / SECONDS:.0f}"))
        return rows
    finally:
        server.terminate()
        server.join(10)


def run() -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as folder:
        rows += _figures("SQLite", f"sqlite:///{Path(folder) / 'queue.db'}", folder)
    url = postgres_url()
    if url is None:
        return [*rows, ("PostgreSQL: queue", "skipped: no PostgreSQL server")]
    with scratch_schema(url) as schema_url, tempfile.TemporaryDirectory() as folder:
        rows += _figures("PostgreSQL", schema_url, folder)
    return rows


if __name__ == "__main__":
    started = datetime.now(UTC)
    for name, value in run():
        print(f"{name}  {value}")
    print(f"took {datetime.now(UTC) - started}")
