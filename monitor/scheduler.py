"""Collecting on schedule: a short tick claims due sources and hands them to a bounded pool."""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from monitor.config import Settings
from monitor.errors import FetchError
from monitor.fetch import Fetcher, FetchPolicy
from monitor.periodic import jobs_for, run_due_jobs
from monitor.pipeline import Ingestor, IngestReport
from monitor.sources import CollectContext, adapter_for
from monitor.sources.feed import read_feed
from monitor.store import sources as source_store
from monitor.store.db import Database
from monitor.store.models import utcnow
from monitor.store.sightings import forget_old_bands

log = logging.getLogger(__name__)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def next_delay(
    interval: float,
    consecutive_errors: int,
    *,
    max_backoff: float,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds until the next check: the interval with 10% jitter when healthy; after errors an
    exponential backoff with jitter, capped, never a permanent stop; a server's Retry-After wins
    when it asks for longer."""
    rng = rng or random.Random()
    if consecutive_errors <= 0:
        delay = interval * rng.uniform(0.9, 1.1)
    else:
        ceiling = min(max_backoff, interval * 2 ** min(consecutive_errors, 20))
        delay = rng.uniform(ceiling / 2, ceiling)
    if retry_after is not None:
        delay = max(delay, min(retry_after, max_backoff))
    return max(1.0, delay)


@dataclass
class SourceOutcome:
    name: str
    ok: bool
    report: IngestReport
    not_modified: bool = False
    error: str | None = None
    next_check_at: datetime | None = None

    def summary(self) -> str:
        if not self.ok:
            when = self.next_check_at.strftime("%H:%M:%S") if self.next_check_at else "later"
            return f"{self.name}: FAILED: {self.error} (will retry at {when} UTC)"
        if self.not_modified:
            return f"{self.name}: ok, not modified since the last check"
        r = self.report
        line = (
            f"{self.name}: ok, {r.received} items, {r.matched} matched, {r.new} new, "
            f"{r.duplicates} already known"
        )
        if r.near_duplicates:
            line += f", {r.near_duplicates} same story as an earlier mention"
        if r.blocked:
            line += f", {r.blocked} blocked"
        return line


def fetch_policy(settings: Settings) -> FetchPolicy:
    f = settings.fetch
    return FetchPolicy(
        connect_timeout=f.connect_timeout,
        read_timeout=f.read_timeout,
        total_timeout=f.total_timeout,
        max_bytes=f.max_bytes,
        max_redirects=f.max_redirects,
        user_agent=f.user_agent,
        allow_private_addresses=f.allow_private_addresses,
    )


class Collector:
    """Claims sources, fetches and ingests them, and records each outcome on the source."""

    def __init__(self, settings: Settings, db: Database, ingestor: Ingestor) -> None:
        self.settings = settings
        self.db = db
        self.ingestor = ingestor
        self.owner = worker_id()
        self.fetcher = Fetcher(fetch_policy(settings))
        self.context = CollectContext(fetcher=self.fetcher, read_feed=read_feed)
        self.pool = ThreadPoolExecutor(
            max_workers=settings.fetch.concurrency, thread_name_prefix="collect"
        )
        self._in_flight = 0
        self._lock = threading.Lock()
        self._pruned_at = 0.0

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.fetcher.close()

    def claim(
        self, *, limit: int, due_only: bool = True, names: list[str] | None = None
    ) -> list[source_store.ClaimedSource]:
        with self.db.write() as session:
            return source_store.claim_sources(
                session,
                owner=self.owner,
                lease_seconds=self.settings.scheduler.lease,
                limit=limit,
                due_only=due_only,
                names=names,
            )

    def run_source(self, source: source_store.ClaimedSource) -> SourceOutcome:
        """Fetch and ingest one claimed source. Whatever happens, the source is released."""
        started = utcnow()
        outcome = SourceOutcome(source.name, ok=False, report=IngestReport())
        retry_after: float | None = None
        try:
            collected = adapter_for(source.request.type).collect(source.request, self.context)
            outcome.not_modified = collected.not_modified
            if collected.items:
                outcome.report = self.ingestor.ingest(
                    source_id=source.id,
                    source_name=source.name,
                    items=collected.items,
                )
            outcome.ok = True
        except FetchError as exc:
            outcome.error, retry_after = str(exc), exc.retry_after
        except Exception as exc:
            log.exception("unexpected error while collecting %s", source.name)
            outcome.error = f"internal error: {type(exc).__name__}: {exc}"
        now = utcnow()
        errors = 0 if outcome.ok else source.consecutive_errors + 1
        delay = next_delay(
            source.interval,
            errors,
            max_backoff=self.settings.scheduler.max_backoff,
            retry_after=retry_after,
        )
        outcome.next_check_at = now + timedelta(seconds=delay)
        with self.db.write() as session:
            if outcome.ok:
                source_store.record_success(
                    session,
                    source,
                    owner=self.owner,
                    now=now,
                    next_check_at=outcome.next_check_at,
                    new_items=outcome.report.new,
                    etag=collected.etag,
                    last_modified=collected.last_modified,
                )
            else:
                source_store.record_failure(
                    session,
                    source,
                    owner=self.owner,
                    now=now,
                    next_check_at=outcome.next_check_at,
                    error=outcome.error or "unknown error",
                )
        # Quiet checks are the normal case; say only what changed or what went wrong.
        level = (
            logging.WARNING
            if not outcome.ok
            else (logging.INFO if outcome.report.new else logging.DEBUG)
        )
        log.log(level, "%s (%.1fs)", outcome.summary(), (now - started).total_seconds())
        return outcome

    def collect_once(self, names: list[str] | None = None) -> list[SourceOutcome]:
        """Check every active source (or the named ones) now, whatever their schedule."""
        claimed = self.claim(limit=100_000, due_only=False, names=names)
        futures = [self.pool.submit(self.run_source, s) for s in claimed]
        return [f.result() for f in futures]

    def prune(self, *, every: float = 3600.0) -> None:
        """Forget story bands older than the window, at most once per `every` seconds.

        Harmless when several workers do it: deleting what is already gone deletes nothing.
        """
        if time.monotonic() - self._pruned_at < every:
            return
        self._pruned_at = time.monotonic()
        before = utcnow() - timedelta(seconds=self.settings.dedup.story_window)
        with self.db.write() as session:
            removed = forget_old_bands(session, before)
        if removed:
            log.info("forgot %d story bands older than the window", removed)

    def tick(self) -> int:
        """Claim as many due sources as there are free slots in the pool; never waits for them."""
        self.prune()
        with self._lock:
            free = self.settings.fetch.concurrency * 2 - self._in_flight
        if free <= 0:
            return 0
        claimed = self.claim(limit=min(free, self.settings.scheduler.batch))
        for source in claimed:
            with self._lock:
                self._in_flight += 1
            future = self.pool.submit(self.run_source, source)
            future.add_done_callback(self._done)
        return len(claimed)

    def _done(self, _future: Future[SourceOutcome]) -> None:
        with self._lock:
            self._in_flight -= 1


class Worker:
    """APScheduler running the collector's tick, and the periodic jobs, in this process."""

    def __init__(self, collector: Collector) -> None:
        self.collector = collector
        self.jobs = jobs_for(collector.settings, collector.db)
        self.scheduler = BackgroundScheduler(timezone="UTC")
        self.scheduler.add_job(
            self._periodic, "interval", seconds=60, id="periodic", max_instances=1, coalesce=True
        )
        self.scheduler.add_job(
            self._tick,
            "interval",
            seconds=collector.settings.scheduler.tick,
            id="collect-tick",
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now().astimezone(),
        )

    def _periodic(self) -> None:
        try:
            run_due_jobs(self.collector.db, self.jobs, self.collector.owner)
        except Exception:
            log.exception("periodic jobs failed; retrying in a minute")

    def _tick(self) -> None:
        try:
            self.collector.tick()
        except Exception:
            log.exception("collector tick failed; retrying at the next tick")

    def start(self) -> None:
        self.scheduler.start()

    def stop(self) -> None:
        self.scheduler.shutdown(wait=True)
        self.collector.close()
