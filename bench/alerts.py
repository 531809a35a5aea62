"""Stored to handed over: how long after a journalist inquiry is stored its alert reaches the
channel (a local HTTP receiver behind an Apprise json:// URL and a signed webhook), with the
dispatcher running in its thread as in a worker. Target: under one second."""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from monitor.alerts.alerter import Alerter
from monitor.alerts.channels import check_targets
from monitor.alerts.dispatch import Dispatcher
from monitor.classify import ModelProvider
from monitor.config import settings_from_mapping
from monitor.pipeline import Ingestor
from monitor.sources.base import Item
from monitor.store import migrate
from monitor.store.db import Database
from monitor.store.models import Alert
from monitor.store.sources import sync_sources

INQUIRIES = 40  # five papers x eight topics: different stories, so none is a near duplicate
TEXT = (
    "Ik ben verslaggever bij {paper} (vraag {n}) en zoek een reactie van Stroomlijn op {topic}, "
    "graag voor {hour}.00 uur vandaag."
)
PAPERS = ["Het Zuiderblad", "De Noordpost", "Radio Oost", "Dagblad West", "Omroep Midden"]
TOPICS = [
    "de storing in Emmen", "de nieuwe tarieven", "het datalek bij de klantenservice",
    "de wachttijden aan de telefoon", "de afsluitingen in de winter", "het zonnepark in Drenthe",
    "de fusie met een netbeheerder", "de klachten over slimme meters",
]  # fmt: skip


class _Receiver:
    def __init__(self) -> None:
        self.arrivals: dict[str, float] = {}
        arrivals = self.arrivals

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                arrivals.setdefault(f"{self.path}:{body.decode()[:4000]}", time.perf_counter())
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.address = f"127.0.0.1:{self.httpd.server_address[1]}"

    def arrived(self, path: str, marker: str) -> float | None:
        for key, at in list(self.arrivals.items()):
            if key.startswith(path + ":") and marker in key:
                return at
        return None


def _measure(url: str, receiver: _Receiver, path: str, notify: str) -> list[float]:
    settings = settings_from_mapping({
        "database": {"url": url},
        "brands": [{"name": "Stroomlijn", "query": "stroomlijn"}],
        "sources": [{"name": "forum", "url": "https://forum.example/feed"}],
        "webhooks": [{"name": "crm", "url": f"http://{receiver.address}/signed",
                      "secret_env": "BENCH_WEBHOOK_SECRET"}],
        "alerts": [{"category": "journalist_inquiry", "notify": [notify]}],
    })  # fmt: skip
    check_targets(settings)  # as a worker does at start; it loads Apprise's plugins
    db = Database(settings.database.url)
    migrate.upgrade(db)
    with db.write() as session:
        sync_sources(session, settings)
    models = ModelProvider(db)
    models.get()
    alerter = Alerter(settings, db)
    ingestor = Ingestor(settings, db, models, alerter=alerter)
    dispatcher = Dispatcher(settings, db, "bench")
    alerter.on_raised = dispatcher.poke
    dispatcher.start()
    latencies: list[float] = []
    skipped = 0
    try:
        for n in range(INQUIRIES):
            marker = f"(vraag {n})"
            text = TEXT.format(n=n, paper=PAPERS[n % 5], topic=TOPICS[n % 8], hour=12 + n % 6)
            item = Item(f"q{n}", f"https://forum.example/t/{n}", "", text)
            raised = _alerts(db)
            ingestor.ingest(source_id=1, source_name="forum", items=[item])
            stored = time.perf_counter()
            if _alerts(db) == raised:
                skipped += 1  # classified otherwise, or the same story as an earlier question
                continue
            deadline = stored + 5
            while (at := receiver.arrived(path, marker)) is None and time.perf_counter() < deadline:
                time.sleep(0.001)
            latencies.append((at or float("inf")) - stored)
    finally:
        dispatcher.stop()
        db.dispose()
    assert len(latencies) >= INQUIRIES // 2, f"only {len(latencies)} of {INQUIRIES} raised alerts"
    return latencies


def _alerts(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Alert)) or 0)


def _row(label: str, latencies: list[float]) -> tuple[str, str]:
    ms = sorted(x * 1000 for x in latencies)
    p95 = ms[max(0, int(len(ms) * 0.95) - 1)]
    return (
        f"stored -> {label} (ms)",
        f"median {statistics.median(ms):.0f}, p95 {p95:.0f}, max {ms[-1]:.0f} over {len(ms)}",
    )


def run() -> list[tuple[str, str]]:
    os.environ.setdefault("BENCH_WEBHOOK_SECRET", "bench-secret")
    receiver = _Receiver()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for label, path, notify in (
            ("Apprise json://", "/apprise", f"json://{receiver.address}/apprise"),
            ("signed webhook", "/signed", "webhook:crm"),
        ):
            url = f"sqlite:///{Path(folder) / (path.strip('/') + '.db')}"
            rows.append(_row(label, _measure(url, receiver, path, notify)))
    receiver.httpd.shutdown()
    return rows
