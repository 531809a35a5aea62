"""Collecting on schedule: a short tick claims due sources and hands them to a bounded pool."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from monitor.alerts.dispatch import Dispatcher
from monitor.config import Settings
from monitor.errors import FetchError
from monitor.fetch import Fetcher, FetchPolicy
from monitor.forwarding import credit_mail_forwards
from monitor.memory import cap_malloc_arenas, return_free_memory
from monitor.pacing import HostGate, IntervalBounds, adapt_interval, host_of, next_delay
from monitor.periodic import jobs_for, run_due_jobs
from monitor.pipeline import Ingestor, IngestReport
from monitor.sources import CollectContext, Collected, adapter_for
from monitor.sources.pool import ParsePool
from monitor.store import sources as source_store
from monitor.store.db import Database
from monitor.store.models import utcnow
from monitor.store.sightings import forget_old_bands
from monitor.store.websub import note_hub

log = logging.getLogger(__name__)
# Quiet checks (nothing new, nothing wrong) are written this many to a transaction, or at the
# next tick, whichever comes first.
QUIET_BATCH = 100


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


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
        self.parser = ParsePool(settings.fetch.parse_processes)
        self.context = CollectContext(fetcher=self.fetcher, read_feed=self.parser.read)
        self.pool = ThreadPoolExecutor(
            max_workers=settings.fetch.concurrency, thread_name_prefix="collect"
        )
        self.gate = HostGate(settings.fetch.per_host, self._submit)
        self._in_flight = 0
        self._lock = threading.Lock()
        self._quiet_checks: list[source_store.QuietCheck] = []
        self._pruned_at = 0.0

    def warm_up(self) -> None:
        """Load the model now rather than at the first new item, then give back what loading
        left behind, so that a worker holds only what it needs while collecting."""
        self.ingestor.models.get()
        return_free_memory()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.flush()
        self.fetcher.close()
        self.parser.close()

    def _quiet(self, check: source_store.QuietCheck) -> None:
        with self._lock:
            self._quiet_checks.append(check)
            full = len(self._quiet_checks) >= QUIET_BATCH
        if full:
            self.flush()

    def flush(self) -> None:
        """Write the quiet checks gathered so far; until then their sources stay leased."""
        with self._lock:
            checks, self._quiet_checks = self._quiet_checks, []
        if checks:
            with self.db.write() as session:
                source_store.record_quiet_checks(session, self.owner, checks)

    def _submit(self, task: Callable[[], None]) -> None:
        self.pool.submit(task)

    def _needs_full_fetch(self, source: source_store.ClaimedSource, now: datetime) -> bool:
        last = source.last_full_fetch_at
        every = timedelta(seconds=self.settings.scheduler.full_refetch_every)
        return last is None or now - last >= every

    def _next_interval(
        self, source: source_store.ClaimedSource, new_items: int, collected: Collected
    ) -> float:
        scheduler = self.settings.scheduler
        bounds = IntervalBounds(source.interval, scheduler.min_interval, scheduler.max_interval)
        if not scheduler.adaptive:
            bounds = IntervalBounds(source.interval, source.interval, source.interval)
        return adapt_interval(
            source.current_interval,
            new_items,
            bounds,
            server_minimum=collected.min_interval,
        )

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
        # A mailbox keeps its own state in the etag slot, not an HTTP validator.
        full_fetch = source.request.type != "imap" and self._needs_full_fetch(source, started)
        request = source.request
        if full_fetch:
            request = replace(request, etag=None, last_modified=None)
        collected = Collected(items=[])
        try:
            collected = adapter_for(request.type).collect(request, self.context)
            outcome.not_modified = collected.not_modified
            if collected.items:
                outcome.report = self.ingestor.ingest(
                    source_id=source.id,
                    source_name=source.name,
                    items=collected.items,
                )
                if request.type == "imap":  # mails to webcare@ are employees' forwards
                    credit_mail_forwards(
                        self.ingestor.db, source.id, collected.items, outcome.report
                    )
            outcome.ok = True
        except FetchError as exc:
            outcome.error, retry_after = str(exc), exc.retry_after
            if exc.status == 410:  # gone for good: ask again only now and then
                retry_after = self.settings.scheduler.max_backoff
        except Exception as exc:
            log.exception("unexpected error while collecting %s", source.name)
            outcome.error = f"internal error: {type(exc).__name__}: {exc}"
        now = utcnow()
        interval = source.current_interval
        if outcome.ok:
            interval = self._next_interval(source, outcome.report.new, collected)
        errors = 0 if outcome.ok else source.consecutive_errors + 1
        delay = next_delay(
            interval,
            errors,
            max_backoff=self.settings.scheduler.max_backoff,
            retry_after=retry_after,
        )
        if outcome.ok and source.push_until is not None and source.push_until > now:
            delay *= source_store.PUSHED_SLOWDOWN
        outcome.next_check_at = now + timedelta(seconds=delay)
        quiet = (
            outcome.ok
            and not collected.items
            and not source.consecutive_errors
            and not collected.permanent_redirect
            and not (request.options.get("websub") and collected.hub)
        )
        if quiet:  # the common case by far: written with others, many to a transaction
            self._quiet(
                source_store.QuietCheck(
                    source_id=source.id,
                    now=now,
                    next_check_at=outcome.next_check_at,
                    etag=collected.etag,
                    last_modified=collected.last_modified,
                    poll_interval=interval,
                    full_fetch=full_fetch,
                )
            )
            log.debug("%s (%.1fs)", outcome.summary(), (now - started).total_seconds())
            return outcome
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
                    poll_interval=interval,
                    full_fetch=full_fetch,
                    # Only a plain feed's address is the config's url; the other types build
                    # theirs from it, so their redirects say nothing about the source.
                    moved_to=collected.permanent_redirect if request.type == "rss" else None,
                )
                if request.options.get("websub") and collected.hub:
                    note_hub(
                        session,
                        source_id=source.id,
                        hub=collected.hub,
                        topic=collected.self_url or collected.final_url or request.url,
                        now=now,
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
        futures = [self._start(source) for source in claimed]
        outcomes = [f.result() for f in futures]
        self.flush()
        return outcomes

    def _start(self, source: source_store.ClaimedSource) -> Future[SourceOutcome]:
        """Run a claimed source through the host gate; the future holds its outcome."""
        future: Future[SourceOutcome] = Future()

        def task() -> None:
            try:
                future.set_result(self.run_source(source))
            except Exception as exc:  # noqa: BLE001 - run_source records its own; a bug here
                future.set_exception(exc)

        self.gate.run(host_of(source.request.url), task)
        return future

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
        self.flush()
        self.prune()
        with self._lock:
            free = self.settings.fetch.concurrency * 2 - self._in_flight
        if free <= 0:
            return 0
        claimed = self.claim(limit=min(free, self.settings.scheduler.batch))
        for source in claimed:
            with self._lock:
                self._in_flight += 1
            self._start(source).add_done_callback(self._done)
        return len(claimed)

    def _done(self, _future: Future[SourceOutcome]) -> None:
        with self._lock:
            self._in_flight -= 1


class Worker:
    """APScheduler running the collector's tick, and the periodic jobs, in this process."""

    def __init__(self, collector: Collector) -> None:
        self.collector = collector
        self.dispatcher = Dispatcher(collector.settings, collector.db, collector.owner)
        alerter = collector.ingestor.alerter
        if alerter is not None:
            alerter.on_raised = self.dispatcher.poke
        self.jobs = jobs_for(collector.settings, collector.db, alerter)
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
        cap_malloc_arenas()
        self.collector.warm_up()
        self.dispatcher.start()
        self.scheduler.start()

    def stop(self) -> None:
        self.scheduler.shutdown(wait=True)
        self.collector.close()
        self.dispatcher.stop()
