"""One stored mention in the webcare queue, and people of every kind to work on it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from monitor.config import Settings
from monitor.store.db import Database
from monitor.store.mentions import insert_new
from monitor.store.models import Source
from monitor.store.users import add_user
from tests.monitor.store.test_mentions import _row


@pytest.fixture
def mention_id(db: Database, settings_for: Callable[..., Settings]) -> int:
    settings_for([{"name": "s", "url": "https://example.org/feed"}])
    with db.write() as session:
        source_id = int(session.scalar(select(Source.id)) or 0)
        inserted = insert_new(session, [_row(source_id, "a")])
        password = "x" * 12
        add_user(session, "anne", role="agent", teams=["webcare"], password=password)
        add_user(session, "bram", role="agent", teams=["webcare", "customer_service"],
                 password=password)  # fmt: skip
        add_user(session, "piet", role="pr_officer", teams=["spokesperson"], password=password)
        add_user(session, "vera", role="viewer", teams=["webcare"], password=password)
        add_user(session, "root", role="admin", password=password)
        add_user(session, "oud", role="agent", teams=["webcare"], password=password).active = False
    return inserted["a"]
