"""Live updates: the rows of mentions stored since the page was drawn, through the page's own
filters, with the queue counts."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from monitor.config import Settings
from monitor.sources.base import Item
from monitor.store.db import Database
from tests.webui.conftest import collect


def test_new_rows_come_with_the_counts_and_follow_the_filters(
    login: Callable[[str], FlaskClient], db: Database, settings: Settings
) -> None:
    admin = login("admin")
    newest = max(i["id"] for i in admin.get("/api/v1/mentions").json["items"])
    quiet = admin.get(f"/queue/webcare/rows?after={newest}").json
    assert quiet["count"] == 0 and quiet["newest_id"] == newest
    before = quiet["counts"]["webcare"]
    text = "Hoe kan ik mijn meterstand doorgeven aan Stroomlijn?"
    collect(db, settings, Item("q2", "https://social.example/q2", "", text))
    fresh = admin.get(f"/queue/webcare/rows?after={newest}").json
    assert fresh["count"] == 1 and fresh["newest_id"] > newest
    assert f'data-mention-id="{fresh["newest_id"]}"' in fresh["html"]
    assert "meterstand" in fresh["html"] and fresh["counts"]["webcare"] == before + 1
    # The page's filters hold: a search that does not match adds nothing.
    assert admin.get(f"/queue/webcare/rows?after={newest}&q=factuur").json["count"] == 0
    assert admin.get("/queue/webcare/rows").status_code == 400
    assert login("rita").get(f"/queue/webcare/rows?after={newest}").status_code == 403
