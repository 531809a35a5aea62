"""Inserting mentions is idempotent: the unique key decides, even under concurrent writers."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from monitor.config import Settings
from monitor.errors import WebcareError
from monitor.store.db import Database
from monitor.store.events import mention_history
from monitor.store.mentions import (
    QueueFilter,
    change_status,
    count_mentions,
    existing_keys,
    insert_new,
    list_mentions,
    open_counts_by_team,
)
from monitor.store.models import Mention, Source, utcnow


def _row(source_id: int, key: str, **extra: Any) -> dict[str, Any]:
    now = utcnow()
    return {
        "dedup_key": key, "source_id": source_id, "brand": "B", "title": f"title {key}",
        "text": f"text {key}", "published_at": now, "collected_at": now, "content_hash": key,
        "matched": [], "category": "question", "confidence": 0.9, "model_version": "m",
        "team": "webcare", "status": "new", "priority": 45, "updated_at": now, **extra,
    }  # fmt: skip


@pytest.fixture
def source_id(db: Database, settings_for: Callable[..., Settings]) -> int:
    settings_for([{"name": "s", "url": "https://example.org/feed"}])
    with db.read() as session:
        return int(session.scalar(select(Source.id)) or 0)


def test_insert_returns_only_the_rows_that_were_new(db: Database, source_id: int) -> None:
    with db.write() as session:
        first = insert_new(session, [_row(source_id, "a"), _row(source_id, "b")])
    with db.write() as session:
        second = insert_new(session, [_row(source_id, "b"), _row(source_id, "c")])
    assert set(first) == {"a", "b"}
    assert set(second) == {"c"}
    with db.read() as session:
        assert session.scalar(select(func.count(Mention.id))) == 3
        assert existing_keys(session, ["a", "c", "zzz"]) == {"a", "c"}


def test_concurrent_inserts_of_the_same_items_store_each_once(db: Database, source_id: int) -> None:
    rows = [_row(source_id, f"k{i}") for i in range(200)]
    barrier = threading.Barrier(4)
    results: list[dict[str, int]] = []

    def insert() -> None:
        barrier.wait()
        with db.write() as session:
            results.append(insert_new(session, rows))

    threads = [threading.Thread(target=insert) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(len(r) for r in results) == 200
    with db.read() as session:
        assert session.scalar(select(func.count(Mention.id))) == 200


def test_queues_list_newest_first_and_filter(db: Database, source_id: int) -> None:
    now = utcnow()
    with db.write() as session:
        insert_new(session, [
            _row(source_id, "old", published_at=now - timedelta(hours=2)),
            _row(source_id, "new", published_at=now),
            _row(source_id, "complaint", category="complaint", team="customer_service"),
            _row(source_id, "done", status="resolved"),
        ])  # fmt: skip
    with db.read() as session:
        webcare = list_mentions(session, QueueFilter(team="webcare"))
        assert [m.dedup_key for m in webcare] == ["new", "old"]
        assert count_mentions(session, QueueFilter(team="webcare", status="all")) == 3
        assert count_mentions(session, QueueFilter(category="complaint")) == 1
        assert count_mentions(session, QueueFilter(q="TITLE OLD")) == 1
        assert open_counts_by_team(session) == {
            "webcare": 2,
            "customer_service": 1,
            "spokesperson": 0,
            "review": 0,
        }


def test_unknown_filters_are_refused_with_the_allowed_values() -> None:
    with pytest.raises(WebcareError, match="expected one of webcare"):
        QueueFilter(team="sales").validate()
    with pytest.raises(WebcareError, match="unknown status"):
        QueueFilter(status="closed").validate()


def test_search_treats_wildcard_characters_literally(db: Database, source_id: int) -> None:
    with db.write() as session:
        insert_new(session, [_row(source_id, "pct", title="100% kapot"), _row(source_id, "x")])
    with db.read() as session:
        assert count_mentions(session, QueueFilter(q="100%")) == 1
        assert count_mentions(session, QueueFilter(q="%")) == 1


def test_a_status_change_is_logged_with_who_and_what(db: Database, source_id: int) -> None:
    with db.write() as session:
        ids = insert_new(session, [_row(source_id, "a")])
    with db.write() as session:
        change_status(session, ids["a"], "resolved", None)
        with pytest.raises(WebcareError, match="unknown status"):
            change_status(session, ids["a"], "finished", None)
    with db.read() as session:
        [event] = mention_history(session, ids["a"])
        assert (event.kind, event.actor, event.data) == (
            "mention.status_changed",
            "system",
            {"from": "new", "to": "resolved"},
        )
