"""Sources follow the config; due sources are leased to one worker at a time."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from monitor.config import Settings
from monitor.errors import WebcareError
from monitor.store.db import Database
from monitor.store.models import Source, utcnow
from monitor.store.sources import (
    add_page_source,
    claim_sources,
    edit_page_source,
    page_sources,
    pause_source,
    record_failure,
    record_success,
    remove_page_source,
    sync_sources,
)
from tests.conftest import make_settings


def _source(name: str, url: str = "https://example.org/feed", **extra: object) -> dict[str, object]:
    return {"name": name, "url": url, **extra}


def _states(db: Database) -> dict[str, str]:
    with db.read() as session:
        return {s.name: s.state for s in session.scalars(select(Source))}


def test_sync_adds_updates_and_marks_removed_sources(db: Database) -> None:
    with db.write() as session:
        sync_sources(session, make_settings(db.url, sources=[_source("a"), _source("b")]))
    with db.write() as session:
        counts = sync_sources(
            session,
            make_settings(
                db.url,
                sources=[_source("a", "https://example.org/other"), _source("c", enabled=False)],
            ),
        )
    assert counts == {"added": 1, "updated": 1, "removed": 1}
    assert _states(db) == {"a": "active", "b": "removed", "c": "disabled"}
    with db.read() as session:
        a = session.scalar(select(Source).where(Source.name == "a"))
        assert a is not None and a.url == "https://example.org/other"


def test_a_changed_url_forgets_the_old_validators(db: Database) -> None:
    settings = make_settings(db.url, sources=[_source("a")])
    with db.write() as session:
        sync_sources(session, settings)
        source = session.scalar(select(Source))
        assert source is not None
        source.etag, source.last_modified = '"v1"', "Mon, 01 Jan 2026 00:00:00 GMT"
    with db.write() as session:
        sync_sources(
            session, make_settings(db.url, sources=[_source("a", "https://example.org/2")])
        )
    with db.read() as session:
        source = session.scalar(select(Source))
        assert source is not None and source.etag is None and source.last_modified is None


def test_a_pause_set_by_a_person_survives_a_config_reload(db: Database) -> None:
    settings = make_settings(db.url, sources=[_source("a")])
    with db.write() as session:
        sync_sources(session, settings)
        source = session.scalar(select(Source))
        assert source is not None
        source.state = "paused"
    with db.write() as session:
        sync_sources(session, settings)
    assert _states(db) == {"a": "paused"}


def test_only_due_unleased_active_sources_are_claimed(
    db: Database, settings_for: Callable[..., Settings]
) -> None:
    settings_for([_source("due"), _source("later"), _source("off", enabled=False)])
    now = utcnow()
    with db.write() as session:
        later = session.scalar(select(Source).where(Source.name == "later"))
        assert later is not None
        later.next_check_at = now + timedelta(hours=1)
    with db.write() as session:
        first = claim_sources(session, owner="w1", lease_seconds=60, limit=10, now=now)
    with db.write() as session:
        second = claim_sources(session, owner="w2", lease_seconds=60, limit=10, now=now)
    assert [s.name for s in first] == ["due"]
    assert second == []


def test_an_expired_lease_returns_the_source_to_the_pool(
    db: Database, settings_for: Callable[..., Settings]
) -> None:
    settings_for([_source("a")])
    now = utcnow()
    with db.write() as session:
        claim_sources(session, owner="crashed", lease_seconds=30, limit=10, now=now)
    with db.write() as session:
        claimed = claim_sources(
            session, owner="w2", lease_seconds=30, limit=10, now=now + timedelta(seconds=31)
        )
    assert [s.name for s in claimed] == ["a"]


def test_concurrent_workers_never_claim_the_same_source(
    db: Database, settings_for: Callable[..., Settings]
) -> None:
    settings_for([_source(f"s{i}") for i in range(30)])
    claimed: dict[str, list[str]] = {}
    barrier = threading.Barrier(3)

    def worker(owner: str) -> None:
        barrier.wait()
        names: list[str] = []
        for _ in range(10):
            with db.write() as session:
                names += [
                    s.name for s in claim_sources(session, owner=owner, lease_seconds=60, limit=2)
                ]
        claimed[owner] = names

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everything = [name for names in claimed.values() for name in names]
    assert len(everything) == len(set(everything)) == 30


def test_outcomes_release_the_lease_and_keep_counters(
    db: Database, settings_for: Callable[..., Settings]
) -> None:
    settings_for([_source("a")])
    now = utcnow()
    with db.write() as session:
        [claimed] = claim_sources(session, owner="w1", lease_seconds=60, limit=1, now=now)
    with db.write() as session:
        assert record_failure(
            session,
            claimed,
            owner="w1",
            now=now,
            next_check_at=now + timedelta(minutes=5),
            error="HTTP 500",
        )
    with db.read() as session:
        source = session.scalar(select(Source))
        assert source is not None
        assert (source.consecutive_errors, source.total_errors, source.last_error) == (
            1,
            1,
            "HTTP 500",
        )
        assert source.lease_owner is None
    with db.write() as session:
        [claimed] = claim_sources(session, owner="w1", lease_seconds=60, limit=1, due_only=False)
        assert claimed.consecutive_errors == 1
    with db.write() as session:
        assert record_success(
            session,
            claimed,
            owner="w1",
            now=now,
            next_check_at=now,
            new_items=3,
            etag='"x"',
            last_modified=None,
        )
    with db.read() as session:
        source = session.scalar(select(Source))
        assert source is not None
        assert (source.consecutive_errors, source.total_errors, source.last_error) == (0, 1, None)
        assert (source.items_collected, source.total_checks, source.etag) == (3, 2, '"x"')


def test_a_worker_that_lost_its_lease_does_not_overwrite_the_new_owner(
    db: Database, settings_for: Callable[..., Settings]
) -> None:
    settings_for([_source("a")])
    now = utcnow()
    with db.write() as session:
        [mine] = claim_sources(session, owner="slow", lease_seconds=1, limit=1, now=now)
    with db.write() as session:
        claim_sources(
            session, owner="fast", lease_seconds=60, limit=1, now=now + timedelta(seconds=2)
        )
    with db.write() as session:
        assert not record_failure(
            session, mine, owner="slow", now=now, next_check_at=now, error="late"
        )
    with db.read() as session:
        source = session.scalar(select(Source))
        assert source is not None and source.lease_owner == "fast" and source.last_error is None


# --- sources added on the sources page --------------------------------------------------------


def _add(db: Database, settings: Settings, **data: object) -> int:
    with db.write() as session:
        source = add_page_source(session, settings, dict(data), actor="admin", user_id=None)
        return source.id


def test_a_page_source_is_checked_like_a_config_source_and_collected_from_then_on(
    db: Database,
) -> None:
    settings = make_settings(db.url, sources=[_source("a")])
    with db.write() as session:
        sync_sources(session, settings)
    source_id = _add(db, settings, name="forum", url="https://forum.example/feed.xml",
                     interval="10m", query="*", reach="high")  # fmt: skip
    with db.write() as session:
        leased = claim_sources(session, owner="w1", lease_seconds=60, now=utcnow(), limit=10)
    claimed = {c.name: c for c in leased}
    assert claimed["forum"].id == source_id and claimed["forum"].interval == 600
    with db.read() as session:
        [page] = page_sources(session)
    assert (page.name, page.query, page.reach) == ("forum", "*", "high")
    # The config file's next reload leaves it alone.
    with db.write() as session:
        counts = sync_sources(session, settings)
    assert counts["removed"] == 0 and _states(db)["forum"] == "active"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "a", "url": "https://example.org/x"}, "name: 'a' is a source in the config"),
        ({"name": "x y", "url": "https://example.org/x"}, "name: String should match pattern"),
        ({"name": "x", "type": "rss"}, "url: required for sources of type 'rss'"),
        ({"name": "x", "url": "ftp://example.org/feed"}, "url:"),
        ({"name": "x", "url": "https://e.org/f", "interval": "soon"}, "interval: expected a"),
        ({"name": "x", "url": "https://e.org/f", "query": "(stroom"}, "query:"),
        ({"name": "x", "url": "https://e.org/f", "brands": ["Acme"]}, "brands: unknown brand"),
        ({"name": "x", "type": "imap", "url": "imaps://imap.example.org/"}, "username: required"),
        ({"name": "forwards", "url": "https://e.org/f"}, "name: 'forwards' is reserved"),
    ],
)
def test_a_page_source_with_a_mistake_is_refused_with_its_key(
    db: Database, data: dict[str, object], message: str
) -> None:
    settings = make_settings(db.url, sources=[_source("a")])
    with pytest.raises(WebcareError) as caught:
        _add(db, settings, **data)
    assert str(caught.value).startswith(message), caught.value
    with db.read() as session:
        assert page_sources(session) == []


def test_a_page_source_is_edited_and_removed_and_its_name_can_come_back(db: Database) -> None:
    settings = make_settings(db.url)
    source_id = _add(db, settings, name="forum", url="https://forum.example/feed.xml")
    with db.write() as session, pytest.raises(WebcareError, match="exists already"):
        add_page_source(session, settings, {"name": "forum", "url": "https://e.org/f"},
                        actor="admin", user_id=None)  # fmt: skip
    with db.write() as session:
        pause_source(session, source_id, actor="admin", user_id=None)
        edit_page_source(session, settings, source_id, {"url": "https://forum.example/new.xml",
                         "query": "stroomlijn"}, actor="admin", user_id=None)  # fmt: skip
    with db.read() as session:
        source = session.get(Source, source_id)
        assert source is not None
        # The pause outlives the edit; the name cannot be changed by one.
        assert (source.state, source.url, source.name) == ("paused", "https://forum.example/new.xml",
                                                           "forum")  # fmt: skip
        assert page_sources(session)[0].query == "stroomlijn"
    with db.write() as session:
        remove_page_source(session, source_id, actor="admin", user_id=None)
    with db.read() as session:
        assert page_sources(session) == []
    assert _add(db, settings, name="forum", url="https://forum.example/feed.xml") == source_id
    assert _states(db)["forum"] == "active"


def test_config_sources_cannot_be_edited_on_the_page(db: Database) -> None:
    settings = make_settings(db.url, sources=[_source("a")])
    with db.write() as session:
        sync_sources(session, settings)
        source_id = session.scalar(select(Source.id).where(Source.name == "a"))
        assert source_id is not None
        with pytest.raises(WebcareError, match="defined in the config file"):
            edit_page_source(session, settings, source_id, {"url": "https://e.org/x"},
                             actor="admin", user_id=None)  # fmt: skip
        with pytest.raises(WebcareError, match="defined in the config file"):
            remove_page_source(session, source_id, actor="admin", user_id=None)


def test_the_config_file_takes_over_a_page_source_it_names(db: Database) -> None:
    _add(db, make_settings(db.url), name="forum", url="https://forum.example/feed.xml")
    with db.write() as session:
        sync_sources(session, make_settings(db.url, sources=[_source("forum")]))
    with db.read() as session:
        source = session.scalar(select(Source).where(Source.name == "forum"))
        assert source is not None and (source.origin, source.url) == ("config", _source("x")["url"])
        assert page_sources(session) == []


def test_a_stored_page_source_that_no_longer_validates_does_not_stop_the_others(
    db: Database,
) -> None:
    settings = make_settings(db.url)
    broken = _add(db, settings, name="old", url="https://old.example/feed.xml")
    _add(db, settings, name="forum", url="https://forum.example/feed.xml")
    with db.write() as session:
        source = session.get(Source, broken)
        assert source is not None
        source.definition = {"name": "old", "url": "https://old.example/feed.xml", "gone": 1}
    with db.read() as session:
        assert [s.name for s in page_sources(session)] == ["forum"]
