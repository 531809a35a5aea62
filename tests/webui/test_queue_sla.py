"""The queue shows each open item's service-level clock: time left, a warning at 75%, a breach."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update

from monitor.config import Settings
from monitor.store.db import Database
from monitor.store.models import Mention, utcnow


@pytest.fixture
def settings(settings_for: Callable[..., Settings]) -> Settings:
    return settings_for(
        [{"name": "social", "url": "https://social.example/feed"}],
        sla={"business_hours": "24/7",
             "targets": {"complaint": {"first_response": "1h"},
                         "question": {"first_response": "2h"}}},
    )  # fmt: skip


def _age(db: Database, category: str, minutes: int) -> None:
    with db.write() as session:
        session.execute(
            update(Mention)
            .where(Mention.category == category)
            .values(collected_at=utcnow() - timedelta(minutes=minutes))
        )


def test_a_fresh_complaint_shows_the_time_left_for_a_first_response(
    login: Callable[[str], FlaskClient],
) -> None:
    page = login("admin").get("/queue/customer_service").get_data(as_text=True)
    assert 'class="sla sla-ok"' in page
    assert "min left" in page


def test_a_complaint_past_three_quarters_warns_and_one_past_its_target_is_marked_breached(
    login: Callable[[str], FlaskClient], db: Database
) -> None:
    admin = login("admin")
    _age(db, "complaint", 50)
    page = admin.get("/queue/customer_service").get_data(as_text=True)
    assert 'class="sla sla-warning"' in page and "(75% of the time used)" in page
    _age(db, "complaint", 125)
    page = admin.get("/queue/customer_service").get_data(as_text=True)
    assert 'class="sla sla-breached"' in page
    assert re.search(r"breached · 1 h 0[5-9] min late", page)


def test_closed_items_have_no_clock(login: Callable[[str], FlaskClient], db: Database) -> None:
    with db.write() as session:
        session.execute(update(Mention).values(status="resolved"))
    page = login("admin").get("/queue/customer_service?status=all").get_data(as_text=True)
    assert 'class="sla' not in page
