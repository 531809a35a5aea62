"""One poll cycle over 10,000 feeds served locally, 90% answering 304 Not Modified.

The feeds are served by a separate process on 20 loopback addresses (500 feeds per host, so the
per-host limit is in play as with real news sites). Every source starts with a validator from an
earlier check; in the measured cycle 10% of the feeds changed and carry 5 new items each. The
figures: feeds/s for the whole cycle, fetch-to-stored time of the sources with new items, and
peak memory of the collector and its parser processes.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import random
import re
import shutil
import statistics
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, Future, wait
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

from bench.ingest import VOCABULARY
from monitor.classify import ModelProvider, ensure_live_model
from monitor.config import settings_from_mapping
from monitor.memory import cap_malloc_arenas
from monitor.pipeline import Ingestor
from monitor.scheduler import Collector, SourceOutcome
from monitor.sources.feed import parse_feed
from monitor.store import migrate
from monitor.store.db import Database
from monitor.store.models import Mention, Source, utcnow
from monitor.store.sources import ClaimedSource, sync_sources

FEEDS = 10_000
HOSTS = 20
CHANGED_EVERY = 10  # one feed in ten has news
ITEMS = 25
NEW_ITEMS = 5
PORT_BASE = 18_000


def _feed(number: int, version: int) -> bytes:
    # Version 2 adds NEW_ITEMS at the top; the rest is what version 1 had.
    first = -NEW_ITEMS if version == 2 else 0
    items = []
    for i in range(first, ITEMS - NEW_ITEMS):
        rng = random.Random(number * 1000 + i)
        # Random words make every post its own story, as in real feeds.
        words = " ".join(rng.choice(VOCABULARY) for _ in range(40))
        items.append(
            f"<item><title>Stroomlijn {number}-{i}</title>"
            f"<link>https://news{number % HOSTS}.example/{number}/{i}</link>"
            f"<guid>{number}-{i}</guid><description>Stroomlijn bericht {number} {i}: {words}"
            f"</description><pubDate>Fri, 04 Dec 2026 10:00:00 GMT</pubDate></item>"
        )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>'
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def _serve(ready: Any, stop: Any) -> None:
    """The feed servers, in their own process so that serving does not count as collecting.

    A few lines of asyncio with canned answers rather than http.server: on a 2-core machine the
    server's own work would otherwise take a large share of the cores the collector is measured
    on. Keep-alive, HTTP/1.1, ETag and If-None-Match: all a poll cycle needs.
    """
    asyncio.run(_serve_async(ready, stop))


def _answer(number: int, if_none_match: bytes | None) -> bytes:
    version = 2 if number % CHANGED_EVERY == 0 else 1
    etag = f'"v{version}"'.encode()
    if if_none_match == etag:
        return b"HTTP/1.1 304 Not Modified\r\nETag: " + etag + b"\r\nContent-Length: 0\r\n\r\n"
    body = _feed(number, version)
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nETag: "
        + etag
        + b"\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )


async def _serve_async(ready: Any, stop: Any) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.split(b"\r\n")
                path = lines[0].split(b" ")[1]
                validator = next(
                    (
                        line.split(b":", 1)[1].strip()
                        for line in lines[1:]
                        if line.lower().startswith(b"if-none-match:")
                    ),
                    None,
                )
                writer.write(_answer(int(path.rsplit(b"/", 1)[1]), validator))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    servers = [
        await asyncio.start_server(handle, f"127.0.0.{host + 1}", PORT_BASE)
        for host in range(HOSTS)
    ]
    ready.set()
    await asyncio.get_running_loop().run_in_executor(None, stop.wait)
    for server in servers:
        server.close()


def _peak_kib(pid: int | str = "self") -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) if match else 0


class TimedCollector(Collector):
    """Records how long each source with news took from the start of its fetch to stored."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.latencies: list[float] = []

    def run_source(self, source: ClaimedSource) -> SourceOutcome:
        started = time.perf_counter()
        outcome = super().run_source(source)
        if outcome.report.new:
            self.latencies.append(time.perf_counter() - started)
        return outcome


def _settings_mapping(folder: str, parse_processes: int | None = None) -> dict[str, Any]:
    sources = [
        {
            "name": f"feed-{n}",
            "url": f"http://127.0.0.{n % HOSTS + 1}:{PORT_BASE}/feed/{n}",
            "interval": "15m",
        }
        for n in range(FEEDS)
    ]
    return {
        "database": {"url": f"sqlite:///{Path(folder) / 'bench.db'}"},
        "paths": {"instance": folder},
        "fetch": {
            "allow_private_addresses": True,
            **({} if parse_processes is None else {"parse_processes": parse_processes}),
        },
        "classifier": {"retrain_every": "off"},
        "brands": [{"name": "Stroomlijn", "query": "stroomlijn"}],
        "sources": sources,
    }


def _prepare(folder: str) -> int:
    """The state after an earlier cycle: validators everywhere, version 1 stored, a live model."""
    settings = settings_from_mapping(_settings_mapping(folder))
    db = Database(settings.database.url)
    migrate.upgrade(db)
    with db.write() as session:
        sync_sources(session, settings)
        session.execute(
            update(Source).values(etag='"v1"', last_full_fetch_at=utcnow() - timedelta(minutes=5))
        )
    ensure_live_model(db)
    ingestor = Ingestor(settings, db, ModelProvider(db))
    with db.read() as session:
        ids = {name: id_ for name, id_ in session.execute(select(Source.name, Source.id))}
    for n in range(0, FEEDS, CHANGED_EVERY):
        items = parse_feed(_feed(n, 1), url=f"http://127.0.0.1/feed/{n}")
        ingestor.ingest(source_id=ids[f"feed-{n}"], source_name=f"feed-{n}", items=items)
    with db.read() as session:
        stored = session.scalar(select(func.count()).select_from(Mention)) or 0
    db.dispose()
    return stored


def _drain(collector: Collector) -> list[SourceOutcome]:
    """Claim due sources a few at a time, as the tick does, until none is left."""
    outcomes: list[SourceOutcome] = []
    running: set[Future[SourceOutcome]] = set()
    window = collector.settings.fetch.concurrency * 2
    while True:
        if len(running) < window:
            running.update(collector._start(s) for s in collector.claim(limit=window))
        if not running:
            break
        done, running = wait(running, return_when=FIRST_COMPLETED)
        outcomes.extend(f.result() for f in done)
    collector.flush()
    return outcomes


def _work(folder: str, parse_processes: int | None, ready: Any, start: Any, results: Any) -> None:
    """One worker process: load what `webcare worker` loads, then claim and collect as its tick
    does (a few sources at a time) when told to start."""
    cap_malloc_arenas()  # as Worker.start does
    settings = settings_from_mapping(_settings_mapping(folder, parse_processes))
    db = Database(settings.database.url)
    collector = TimedCollector(settings, db, Ingestor(settings, db, ModelProvider(db)))
    collector.parser.read(_feed(0, 1) * 2, "http://warm.up/", None)  # start the parsers
    collector.warm_up()
    Path("/proc/self/clear_refs").write_text("5")  # peak memory from here on
    ready.put(os.getpid())
    start.wait()
    started = time.perf_counter()
    outcomes = _drain(collector)
    elapsed = time.perf_counter() - started
    executor = collector.parser._executor
    processes = executor._processes.values() if executor else []
    parsers = [_peak_kib(p.pid) for p in processes if p.pid is not None]
    collector.close()
    db.dispose()
    results.put(
        {
            "elapsed": elapsed,
            "checked": len(outcomes),
            "not_modified": sum(o.not_modified for o in outcomes),
            "failed": [o.summary() for o in outcomes if not o.ok][:3],
            "latencies": collector.latencies,
            "own_kib": _peak_kib(),
            "parser_kib": sum(parsers),
        }
    )


def _cycle(
    prepared: Path, workers: int, parse_processes: int | None = None
) -> tuple[list[dict[str, Any]], float, int]:
    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(prepared, Path(folder) / "bench.db")
        context = multiprocessing.get_context("spawn")
        ready, start, results = context.Queue(), context.Event(), context.Queue()
        processes = [
            context.Process(target=_work, args=(folder, parse_processes, ready, start, results))
            for _ in range(workers)
        ]
        for process in processes:
            process.start()
        for _ in processes:  # loading takes a few seconds: start together once all are ready
            ready.get(timeout=300)
        began = time.perf_counter()
        start.set()
        figures = [results.get(timeout=1800) for _ in processes]
        wall = time.perf_counter() - began
        for process in processes:
            process.join(30)
        db = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
        with db.read() as session:
            stored = session.scalar(select(func.count()).select_from(Mention)) or 0
        db.dispose()
    return figures, wall, stored


def _rows(
    label: str, figures: list[dict[str, Any]], wall: float, new: int
) -> list[tuple[str, str]]:
    failed = [f for fig in figures for f in fig["failed"]]
    assert not failed, f"sources failed, e.g. {failed[0]}"
    checked = sum(f["checked"] for f in figures)
    assert checked == FEEDS, f"checked {checked} of {FEEDS} feeds"
    expected = FEEDS // CHANGED_EVERY * NEW_ITEMS
    # Random posts now and then read alike and are stored as one story: a handful at most.
    assert expected * 0.99 <= new <= expected, f"expected {expected} new mentions, stored {new}"
    latencies = sorted(x for f in figures for x in f["latencies"])
    p50, p95 = statistics.median(latencies), latencies[int(len(latencies) * 0.95)]
    own = sum(f["own_kib"] for f in figures) / 1024
    parsers = sum(f["parser_kib"] for f in figures) / 1024
    not_modified = sum(f["not_modified"] for f in figures)
    return [
        (f"{label}: feeds checked", f"{checked:,} ({not_modified:,} not modified)"),
        (f"{label}: seconds", f"{wall:.1f}"),
        (f"{label}: feeds/s", f"{checked / wall:,.0f}"),
        (f"{label}: new items stored", f"{new:,}"),
        (
            f"{label}: fetch-to-stored per source with news, p50 / p95 (ms)",
            f"{p50 * 1000:.0f} / {p95 * 1000:.0f}",
        ),
        (
            f"{label}: the same per new item, p50 / p95 (ms)",
            f"{p50 * 1000 / NEW_ITEMS:.0f} / {p95 * 1000 / NEW_ITEMS:.0f}",
        ),
        (
            f"{label}: peak memory, worker(s) / with parser processes (MB)",
            f"{own:.0f} / {own + parsers:.0f}",
        ),
    ]


def run() -> list[tuple[str, str]]:
    context = multiprocessing.get_context("spawn")
    ready, stop = context.Event(), context.Event()
    server = context.Process(target=_serve, args=(ready, stop), daemon=True)
    server.start()
    if not ready.wait(60):
        raise RuntimeError("the feed servers did not start")
    try:
        with tempfile.TemporaryDirectory() as folder:
            before = _prepare(folder)
            prepared = Path(folder) / "bench.db"
            rows = []
            for workers, parse_processes, label in (
                (1, None, "one worker"),
                (1, 0, "one worker, no parser processes"),
                (2, None, "two workers"),
            ):
                figures, wall, stored = _cycle(prepared, workers, parse_processes)
                rows += _rows(label, figures, wall, stored - before)
            return rows
    finally:
        stop.set()
        server.join(10)
