"""Collecting: one broken source never stops the others, failures back off, and the tick runs."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import func, select

from monitor.classify import ModelProvider
from monitor.config import Settings
from monitor.pipeline import Ingestor
from monitor.scheduler import Collector, Worker
from monitor.store.db import Database
from monitor.store.models import Event, Mention, Source, utcnow
from tests.conftest import FeedServer, rss


@pytest.fixture
def collector_for(db: Database) -> Iterator[Callable[[Settings], Collector]]:
    made: list[Collector] = []

    def build(settings: Settings) -> Collector:
        collector = Collector(settings, db, Ingestor(settings, db, ModelProvider(db)))
        made.append(collector)
        return collector

    yield build
    for collector in made:
        collector.close()


def _local(name: str, url: str) -> dict[str, object]:
    return {"name": name, "url": url, "allow_private_addresses": True, "interval": "1m"}


GOOD_FEED = rss(
    {
        "title": "Stroomlijn storing",
        "link": "http://example.org/1",
        "guid": "1",
        "description": "Al uren geen stroom bij Stroomlijn, wat een drama",
    },
    {
        "title": "Vraag",
        "link": "http://example.org/2",
        "guid": "2",
        "description": "Hoe zeg ik mijn contract bij Stroomlijn op?",
    },
)


def test_broken_sources_are_recorded_and_the_others_go_on(
    db: Database,
    settings_for: Callable[..., Settings],
    feed_server: FeedServer,
    collector_for: Callable[[Settings], Collector],
) -> None:
    good = feed_server.serve("/good.rss", GOOD_FEED)
    html = feed_server.serve(
        "/page", "<!doctype html><html><body>hi</body></html>", content_type="text/html"
    )
    garbage = feed_server.serve(
        "/garbage", b"\x00\x01 not xml at all {{{", content_type="text/plain"
    )
    server_error = feed_server.serve("/500", "oops", status=500)
    settings = settings_for(
        [
            _local("good", good),
            _local("html", html),
            _local("garbage", garbage),
            _local("error", server_error),
            _local("gone", feed_server.base_url + "/missing"),
        ]
    )
    outcomes = {o.name: o for o in collector_for(settings).collect_once()}
    assert outcomes["good"].ok and outcomes["good"].report.new == 2
    assert "HTML page, not a feed" in (outcomes["html"].error or "")
    assert "not a feed" in (outcomes["garbage"].error or "")
    assert outcomes["error"].error == "HTTP 500 Internal Server Error"
    assert outcomes["gone"].error == "HTTP 404 Not Found"
    with db.read() as session:
        sources = {s.name: s for s in session.scalars(select(Source))}
        assert sources["good"].consecutive_errors == 0 and sources["good"].items_collected == 2
        for name in ("html", "garbage", "error", "gone"):
            assert sources[name].consecutive_errors == 1
            assert sources[name].last_error == outcomes[name].error
            assert sources[name].next_check_at > utcnow()
            assert sources[name].lease_owner is None
        failed = session.scalar(select(func.count(Event.id)).where(Event.kind == "source.failed"))
        assert failed == 4


def test_a_source_that_recovers_is_back_to_its_interval(
    db: Database,
    settings_for: Callable[..., Settings],
    feed_server: FeedServer,
    collector_for: Callable[[Settings], Collector],
) -> None:
    url = feed_server.serve("/f.rss", "broken", status=503, **{"Retry-After": "120"})
    collector = collector_for(settings_for([_local("f", url)]))
    [failed] = collector.collect_once()
    assert failed.next_check_at is not None
    assert (failed.next_check_at - utcnow()).total_seconds() >= 110  # Retry-After honoured
    feed_server.serve("/f.rss", GOOD_FEED)
    [recovered] = collector.collect_once()
    assert recovered.ok and recovered.report.new == 2
    with db.read() as session:
        source = session.scalar(select(Source))
        assert source is not None and source.consecutive_errors == 0 and source.total_errors == 1
        assert session.scalar(select(Event.kind).where(Event.kind == "source.recovered"))


def test_conditional_get_skips_unchanged_feeds(
    db: Database,
    settings_for: Callable[..., Settings],
    feed_server: FeedServer,
    collector_for: Callable[[Settings], Collector],
) -> None:
    url = feed_server.serve("/f.rss", GOOD_FEED, ETag='"v1"')
    collector = collector_for(settings_for([_local("f", url)]))
    collector.collect_once()
    feed_server.serve("/f.rss", "", status=304)
    [second] = collector.collect_once()
    assert second.ok and second.not_modified
    assert feed_server.routes["/f.rss"].request_headers[-1].get("If-None-Match") == '"v1"'


def test_loopback_sources_are_refused_unless_allowed(
    db: Database,
    settings_for: Callable[..., Settings],
    feed_server: FeedServer,
    collector_for: Callable[[Settings], Collector],
) -> None:
    url = feed_server.serve("/f.rss", GOOD_FEED)
    settings = settings_for([{"name": "f", "url": url}])
    [outcome] = collector_for(settings).collect_once()
    assert not outcome.ok and "allow_private_addresses" in (outcome.error or "")
    assert feed_server.routes["/f.rss"].hits == 0


def test_the_scheduler_tick_collects_due_sources_in_the_background(
    db: Database,
    settings_for: Callable[..., Settings],
    feed_server: FeedServer,
    collector_for: Callable[[Settings], Collector],
) -> None:
    url = feed_server.serve("/f.rss", GOOD_FEED)
    worker = Worker(collector_for(settings_for([_local("f", url)])))
    worker.start()
    try:
        deadline = time.monotonic() + 20
        count = 0
        while time.monotonic() < deadline and count < 2:
            with db.read() as session:
                count = session.scalar(select(func.count(Mention.id))) or 0
            time.sleep(0.1)
    finally:
        worker.scheduler.shutdown(wait=True)
    assert count == 2
