"""Collecting: one broken source never stops the others, failures back off, and the tick runs."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

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
        worker.dispatcher.stop()  # the collector is closed by its fixture
    assert count == 2


def _source_row(db: Database, name: str = "f") -> Source:
    with db.read() as session:
        source = session.scalar(select(Source).where(Source.name == name))
        assert source is not None
        session.expunge(source)
        return source


def test_a_gone_feed_says_so_and_is_asked_again_only_after_the_longest_backoff(
    db: Database,
    settings_for: Callable[..., Settings],
    feed_server: FeedServer,
    collector_for: Callable[[Settings], Collector],
) -> None:
    url = feed_server.serve("/f.rss", "", status=410)
    settings = settings_for([_local("f", url)], scheduler={"max_backoff": "6h"})
    [outcome] = collector_for(settings).collect_once()
    assert not outcome.ok and "410 Gone" in (outcome.error or "")
    assert "replace or remove the source" in (outcome.error or "")
    source = _source_row(db)
    assert source.state == "active"  # never a permanent stop
    assert (source.next_check_at - utcnow()).total_seconds() > 5.9 * 3600


def test_a_permanent_redirect_moves_the_source_and_the_next_check_goes_there(
    db: Database,
    settings_for: Callable[..., Settings],
    feed_server: FeedServer,
    collector_for: Callable[[Settings], Collector],
) -> None:
    new = feed_server.serve("/new.rss", GOOD_FEED)
    old = feed_server.serve("/old.rss", "", status=301, Location="/new.rss")
    settings = settings_for([_local("f", old)])
    collector = collector_for(settings)
    [first] = collector.collect_once()
    assert first.ok and first.report.new == 2
    assert _source_row(db).moved_to == new
    collector.collect_once()
    assert feed_server.routes["/old.rss"].hits == 1 and feed_server.routes["/new.rss"].hits == 2
    with db.read() as session:
        moved = session.scalar(select(Event).where(Event.kind == "source.moved"))
        assert moved is not None and moved.data == {"from": old, "to": new}
    # Changing the url in the config starts over from the new url.
    settings_for([_local("f", feed_server.serve("/other.rss", GOOD_FEED))])
    assert _source_row(db).moved_to is None


def test_a_quiet_source_is_checked_less_often_and_a_busy_one_more_often(
    db: Database,
    settings_for: Callable[..., Settings],
    feed_server: FeedServer,
    collector_for: Callable[[Settings], Collector],
) -> None:
    url = feed_server.serve("/f.rss", GOOD_FEED, ETag='"v1"')
    settings = settings_for(
        [{**_local("f", url), "interval": "10m"}], scheduler={"min_interval": "5m"}
    )
    collector = collector_for(settings)
    collector.collect_once()  # two new items: check sooner
    busy = _source_row(db).poll_interval
    assert busy is not None and busy == pytest.approx(420)
    feed_server.serve("/f.rss", "", status=304)
    collector.collect_once()
    collector.collect_once()  # nothing new twice: back off gently
    quiet = _source_row(db).poll_interval
    assert quiet is not None and quiet == pytest.approx(420 * 1.2 * 1.2)


def test_with_adaptive_off_every_source_keeps_its_configured_interval(
    db: Database,
    settings_for: Callable[..., Settings],
    feed_server: FeedServer,
    collector_for: Callable[[Settings], Collector],
) -> None:
    url = feed_server.serve("/f.rss", GOOD_FEED)
    settings = settings_for(
        [{**_local("f", url), "interval": "10m"}], scheduler={"adaptive": False}
    )
    [outcome] = collector_for(settings).collect_once()
    assert _source_row(db).poll_interval == 600
    assert outcome.next_check_at is not None
    assert 530 < (outcome.next_check_at - utcnow()).total_seconds() <= 660


def test_a_feed_ttl_keeps_us_from_polling_more_often_than_the_publisher_asks(
    db: Database,
    settings_for: Callable[..., Settings],
    feed_server: FeedServer,
    collector_for: Callable[[Settings], Collector],
) -> None:
    body = GOOD_FEED.replace("<channel>", "<channel><ttl>30</ttl>")
    url = feed_server.serve("/f.rss", body)
    settings = settings_for([{**_local("f", url), "interval": "10m"}])
    [outcome] = collector_for(settings).collect_once()
    assert _source_row(db).poll_interval == 1800
    assert outcome.next_check_at is not None
    assert (outcome.next_check_at - utcnow()).total_seconds() > 1600


def test_cache_control_max_age_counts_as_the_servers_minimum(
    db: Database,
    settings_for: Callable[..., Settings],
    feed_server: FeedServer,
    collector_for: Callable[[Settings], Collector],
) -> None:
    url = feed_server.serve("/f.rss", GOOD_FEED, **{"Cache-Control": "public, max-age=1500"})
    collector_for(settings_for([{**_local("f", url), "interval": "10m"}])).collect_once()
    assert _source_row(db).poll_interval == 1500


def test_now_and_then_a_full_refetch_ignores_the_validators(
    db: Database,
    settings_for: Callable[..., Settings],
    feed_server: FeedServer,
    collector_for: Callable[[Settings], Collector],
) -> None:
    url = feed_server.serve("/f.rss", GOOD_FEED, ETag='"v1"')
    settings = settings_for([_local("f", url)], scheduler={"full_refetch_every": "1h"})
    collector = collector_for(settings)
    collector.collect_once()
    collector.collect_once()
    headers = feed_server.routes["/f.rss"].request_headers
    assert "If-None-Match" not in headers[0] and headers[1].get("If-None-Match") == '"v1"'
    with db.write() as session:
        session.execute(update(Source).values(last_full_fetch_at=utcnow() - timedelta(hours=2)))
    collector.collect_once()
    assert "If-None-Match" not in feed_server.routes["/f.rss"].request_headers[2]
    assert _source_row(db).last_full_fetch_at is not None


def test_failing_since_marks_the_first_failure_in_a_row_and_success_clears_it(
    db: Database,
    settings_for: Callable[..., Settings],
    feed_server: FeedServer,
    collector_for: Callable[[Settings], Collector],
) -> None:
    url = feed_server.serve("/f.rss", "", status=500)
    collector = collector_for(settings_for([_local("f", url)]))
    collector.collect_once()
    first = _source_row(db).failing_since
    collector.collect_once()
    assert first is not None and _source_row(db).failing_since == first
    feed_server.serve("/f.rss", GOOD_FEED)
    collector.collect_once()
    assert _source_row(db).failing_since is None


def test_a_feed_pushed_by_websub_is_polled_four_times_less_often(
    db: Database,
    settings_for: Callable[..., Settings],
    feed_server: FeedServer,
    collector_for: Callable[[Settings], Collector],
) -> None:
    url = feed_server.serve("/f.rss", GOOD_FEED)
    settings = settings_for(
        [{**_local("f", url), "interval": "10m"}], scheduler={"adaptive": False}
    )
    with db.write() as session:
        session.execute(update(Source).values(push_until=utcnow() + timedelta(days=5)))
    [outcome] = collector_for(settings).collect_once()
    assert outcome.next_check_at is not None
    assert (outcome.next_check_at - utcnow()).total_seconds() > 4 * 530


def test_big_feeds_are_parsed_in_worker_processes_with_the_same_result(
    db: Database,
    settings_for: Callable[..., Settings],
    feed_server: FeedServer,
    collector_for: Callable[[Settings], Collector],
) -> None:
    entries = [
        {
            "title": f"Stroomlijn bericht {i}",
            "guid": f"big-{i}",
            "description": f"Klant {i} meldt een storing bij Stroomlijn in wijk {i}. " * 5,
        }
        for i in range(60)
    ]
    body = rss(*entries)
    assert len(body) > 8 * 1024  # above the size parsed inline
    url = feed_server.serve("/big.rss", body)
    collector = collector_for(settings_for([_local("big", url)], fetch={"parse_processes": 1}))
    [outcome] = collector.collect_once()
    assert outcome.ok and outcome.report.received == 60
    assert collector.parser._executor is not None  # it really went through the process pool
    with db.read() as session:
        assert session.scalar(select(func.count(Mention.id))) == outcome.report.new > 0
