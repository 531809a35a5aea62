"""A real app over a real database with users of every role and a few collected mentions."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from monitor.classify import ModelProvider
from monitor.config import Settings
from monitor.pipeline import Ingestor
from monitor.sources.base import Item
from monitor.store.db import Database
from monitor.store.models import Source
from monitor.store.users import add_user
from webui import create_app

PASSWORD = "a long password"
HOSTILE_TITLE = (
    '<script>window.__pwned = 1</script>Stroomlijn <img src=x onerror="window.__pwned=2">'
)

ITEMS = [
    Item(
        "c1",
        "https://social.example/c1",
        "",
        "Al drie dagen geen stroom en Stroomlijn neemt niet op. Belachelijk!",
    ),
    Item("q1", "https://social.example/q1", "", "Hoe kan ik bij Stroomlijn mijn adres wijzigen?"),
    Item(
        "j1",
        "https://news.example/j1",
        "Persvraag",
        "Journalist van Het Zuiderblad: graag een reactie van Stroomlijn voor 16.00 uur.",
    ),
    Item(
        "x1",
        "https://evil.example/x1",
        HOSTILE_TITLE,
        "Stroomlijn <b>bold</b> &lt;script&gt;alert(1)&lt;/script&gt; text",
    ),
]


@pytest.fixture
def settings(settings_for: Callable[..., Settings]) -> Settings:
    return settings_for([{"name": "social", "url": "https://social.example/feed"}])


@pytest.fixture
def app(db: Database, settings: Settings) -> Flask:
    with db.read() as session:
        source_id = session.scalar(select(Source.id))
    assert source_id is not None
    Ingestor(settings, db, ModelProvider(db)).ingest(
        source_id=source_id, source_name="social", items=ITEMS
    )
    with db.write() as session:
        add_user(session, "admin", role="admin", password=PASSWORD)
        add_user(session, "anne", role="agent", teams=["webcare"], password=PASSWORD)
        add_user(session, "piet", role="pr_officer", teams=["spokesperson"], password=PASSWORD)
        add_user(session, "rita", role="reporter", password=PASSWORD)
        add_user(session, "vera", role="viewer", password=PASSWORD)
    # Counts fresh on every request, so that tests can check them right after a change.
    return create_app(settings, db, config={"TESTING": True, "QUEUE_COUNTS_TTL": 0})


def collect(db: Database, settings: Settings, *items: Item) -> None:
    """Items arriving from the "social" source after the app started, as a collector stores
    them."""
    with db.read() as session:
        source_id = session.scalar(select(Source.id).where(Source.name == "social"))
    assert source_id is not None
    Ingestor(settings, db, ModelProvider(db)).ingest(
        source_id=source_id, source_name="social", items=list(items)
    )


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', page
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def login(app: Flask) -> Callable[[str], FlaskClient]:
    def log_in(name: str) -> FlaskClient:
        client = app.test_client()
        response = client.post(
            "/login",
            data={"username": name, "password": PASSWORD, "csrf_token": csrf_token(client)},
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return log_in
