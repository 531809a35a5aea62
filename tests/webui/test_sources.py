"""Admins add, change and remove sources on the sources page, checked as the config file's."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select

from monitor.store.db import Database
from monitor.store.models import Event, Source
from monitor.store.sources import page_sources
from tests.webui.conftest import csrf_token

FORUM = {"name": "forum", "type": "rss", "url": "https://forum.example/feed.xml",
         "interval": "10m", "query": "*", "reach": "high",
         "block_domains": "spam.example, deals.example"}  # fmt: skip


def _post(client: FlaskClient, path: str, **data: str) -> tuple[int, str]:
    response = client.post(path, data={**data, "csrf_token": csrf_token(client, "/sources")},
                           follow_redirects=True)  # fmt: skip
    return response.status_code, response.get_data(as_text=True)


def _forum_id(db: Database) -> int:
    with db.read() as session:
        found = session.scalar(select(Source.id).where(Source.name == "forum"))
    assert found is not None
    return found


def test_an_admin_adds_a_source_that_workers_then_collect(
    login: Callable[[str], FlaskClient], db: Database
) -> None:
    status, page = _post(login("admin"), "/sources", **FORUM)
    assert status == 200
    assert "forum is added and will be checked within a few seconds." in page
    assert "added on this page" in page
    with db.read() as session:
        [source] = page_sources(session)
        row = session.scalar(select(Source).where(Source.name == "forum"))
        assert row is not None and row.state == "active" and row.interval_seconds == 600
        kinds = list(session.scalars(select(Event.kind).where(Event.source_id == row.id)))
    assert (source.query, source.reach) == ("*", "high")
    assert source.block_domains == ("spam.example", "deals.example")
    assert kinds == ["source.added"]


def test_a_mistake_is_named_and_what_was_typed_stays(
    login: Callable[[str], FlaskClient], db: Database
) -> None:
    status, page = _post(login("admin"), "/sources", **{**FORUM, "interval": "gauw"})
    assert status == 400
    assert "Not added: interval: expected a duration" in page
    assert 'value="gauw"' in page and 'value="https://forum.example/feed.xml"' in page
    status, page = _post(login("admin"), "/sources", **{**FORUM, "name": "social"})
    assert status == 400 and "name: &#39;social&#39; is a source in the config file" in page
    with db.read() as session:
        assert page_sources(session) == []


def test_an_admin_changes_and_removes_a_page_source_but_not_a_config_one(
    login: Callable[[str], FlaskClient], db: Database
) -> None:
    admin = login("admin")
    _post(admin, "/sources", **FORUM)
    forum_id = _forum_id(db)
    changed = {**FORUM, "url": "https://forum.example/new.xml", "query": ""}
    status, page = _post(admin, f"/sources/{forum_id}/edit", **changed)
    assert status == 200 and "forum is changed" in page
    with db.read() as session:
        [source] = page_sources(session)
        social = session.scalar(select(Source.id).where(Source.name == "social"))
    assert source.url == "https://forum.example/new.xml" and source.query is None
    status, page = _post(admin, f"/sources/{social}/edit", url="https://x.example/feed")
    assert status == 400 and "defined in the config file" in page
    status, page = _post(admin, f"/sources/{forum_id}/remove")
    assert status == 200 and "forum is removed; its mentions stay." in page
    with db.read() as session:
        assert page_sources(session) == []
        assert session.scalar(select(Source.state).where(Source.id == forum_id)) == "removed"


def test_only_admins_see_and_use_the_source_forms(
    login: Callable[[str], FlaskClient], db: Database
) -> None:
    agent = login("anne")
    assert "Add a source" not in agent.get("/sources").get_data(as_text=True)
    assert _post(agent, "/sources", **FORUM)[0] == 403
    assert login("admin").post("/sources", data=FORUM).status_code == 400  # no CSRF token
    with db.read() as session:
        assert page_sources(session) == []
