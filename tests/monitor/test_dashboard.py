"""The dashboard's figures from stored mentions: per day in the organisation's zone, per
source, the backlog's age, and service levels judged by the same clocks as the queue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from monitor.config import Settings
from monitor.dashboard import AGE_BANDS, figures
from monitor.store.db import Database
from monitor.store.mentions import insert_new
from monitor.store.models import Source
from tests.monitor.store.test_mentions import _row

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)  # a Friday, 13:00 in Amsterdam


def _store(db: Database, rows: list[tuple[str, str, dict[str, Any]]]) -> None:
    with db.write() as session:
        ids = {name: id_ for name, id_ in session.execute(select(Source.name, Source.id))}
        blank = {"first_response_at": None, "resolved_at": None, "deadline_at": None}
        insert_new(
            session, [_row(ids[source], key, **{**blank, **extra}) for key, source, extra in rows]
        )


def test_figures_count_per_day_per_source_and_age_the_backlog(
    db: Database, settings_for: Callable[..., Settings]
) -> None:
    settings = settings_for(
        [{"name": "news", "url": "https://e.org/n"}, {"name": "social", "url": "https://e.org/s"}],
        sla={"business_hours": "24/7"},
    )
    at = lambda hours: NOW - timedelta(hours=hours)  # noqa: E731
    _store(db, [
        # 23:30 UTC on 3 December is 00:30 on the 4th in Amsterdam: it counts for the 4th.
        ("a", "news", {"collected_at": at(12.5), "category": "complaint"}),
        ("b", "news", {"collected_at": at(0.5), "category": "complaint"}),
        ("c", "social", {"collected_at": at(30), "category": "question"}),
        ("d", "news", {"collected_at": at(24 * 10), "category": "praise", "status": "resolved"}),
        ("old", "social", {"collected_at": at(24 * 40), "category": "other"}),
    ])  # fmt: skip
    with db.read() as session:
        f = figures(settings, session, NOW, 14)
    assert len(f.days) == 14 and f.days[-1].isoformat() == "2026-12-04"
    assert f.per_day["complaint"][-1] == 2 and f.per_day["question"][-2] == 1
    assert f.per_day["praise"][-11] == 1 and f.total == 4  # the 40-day-old one is outside
    assert f.sources == [("news", 3), ("social", 1)]
    # Open: a (12.5 h), b (0.5 h), c (30 h) and the 40-day-old one; d is resolved.
    bands = [label for label, _ in AGE_BANDS]
    webcare = dict(zip(bands, f.backlog["webcare"], strict=True))
    assert webcare == {"under 1 h": 1, "1–4 h": 0, "4–24 h": 1, "1–3 days": 1, "over 3 days": 1}


def test_service_levels_use_the_targets_and_a_journalists_deadline(
    db: Database, settings_for: Callable[..., Settings]
) -> None:
    settings = settings_for(
        [{"name": "news", "url": "https://e.org/n"}],
        sla={"business_hours": "24/7",
             "targets": {"question": {"first_response": "1h", "resolution": "1d"}}},
    )  # fmt: skip
    start = NOW - timedelta(days=2)
    _store(db, [
        ("fast", "news", {"collected_at": start, "category": "question",
                          "first_response_at": start + timedelta(minutes=20),
                          "resolved_at": start + timedelta(hours=2), "status": "resolved"}),
        ("slow", "news", {"collected_at": start, "category": "question",
                          "first_response_at": start + timedelta(hours=3)}),
        ("press", "news", {"collected_at": start, "category": "question",
                           "deadline_at": start + timedelta(hours=5),
                           "first_response_at": start + timedelta(hours=4)}),
        ("untouched", "news", {"collected_at": start, "category": "question"}),
    ])  # fmt: skip
    with db.read() as session:
        service = figures(settings, session, NOW, 7).service["webcare"]
    # The deadline, not the 1-hour target, judges the press question: answered in time.
    assert (service.first_response.met, service.first_response.breached) == (2, 1)
    assert (service.resolution.met, service.resolution.breached) == (1, 0)
    assert service.median_first_response == 3 * 3600
    assert service.first_response.share is not None
    assert round(service.first_response.share, 3) == 0.667
