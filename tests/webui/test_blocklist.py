"""Spam and irrelevant marks feed the blocklists: from a mention an agent blocks its author or
site, or excludes a phrase from the brand's query; the next such item stays out, the new ones it
matches can be closed at once, and the blocklist page shows, suggests and undoes entries."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from monitor.config import Settings
from monitor.sources.base import Item
from monitor.store.db import Database
from monitor.store.events import mention_history
from monitor.store.mentions import change_status
from monitor.store.models import Block, Mention
from tests.webui.conftest import collect, csrf_token


def _ids(db: Database) -> dict[str, int]:
    with db.read() as session:
        return {m.source_item_id or "": m.id for m in session.scalars(select(Mention))}


def _statuses(db: Database) -> dict[str, str]:
    with db.read() as session:
        return {m.source_item_id or "": m.status for m in session.scalars(select(Mention))}


def _post(client: FlaskClient, path: str, page: str, **data: str) -> str:
    data["csrf_token"] = csrf_token(client, page)
    response = client.post(path, data=data, follow_redirects=True)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def test_blocking_a_spam_author_closes_their_new_mentions_and_keeps_the_next_out(
    login: Callable[[str], FlaskClient], db: Database, settings: Settings
) -> None:
    collect(
        db,
        settings,
        Item("s1", "https://social.example/s1", "", "Stroomlijn gratis iPhone!", "@promo"),
        Item("s2", "https://social.example/s2", "", "Stroomlijn win een iPad", "Promo"),
        Item("ok", "https://social.example/ok", "", "Stroomlijn storing Emmen", "anne"),
    )
    ids = _ids(db)
    anne = login("admin")
    page = anne.get(f"/mentions/{ids['s1']}").get_data(as_text=True)
    # A social network's own site is never offered: it would block the whole network.
    assert "Block author “promo” as spam" in page and "Block site" not in page
    done = _post(anne, f"/mentions/{ids['s1']}/block", f"/mentions/{ids['s1']}",
                 kind="author", value="promo", sweep="1")  # fmt: skip
    assert "Author “promo” is on the blocklist. 1 other new mention by it closed as spam." in done
    statuses = _statuses(db)
    assert (statuses["s1"], statuses["s2"], statuses["ok"]) == ("spam", "spam", "new")
    collect(db, settings, Item("s3", "https://social.example/s3", "", "Stroomlijn actie", "PROMO"))
    assert "s3" not in _ids(db)
    with db.read() as session:
        history = [(e.kind, e.actor) for e in mention_history(session, ids["s1"])]
    assert ("block.added", "admin") in history


def test_an_irrelevant_mention_teaches_the_brand_query_a_phrase_to_leave_out(
    login: Callable[[str], FlaskClient], db: Database, settings: Settings
) -> None:
    collect(
        db,
        settings,
        Item("a1", "https://news.example/a1", "", "Stroomlijn Fietsen wint prijs"),
        Item("a2", "https://news.example/a2", "", "Stroomlijn Fietsen bouwt school"),
    )
    ids = _ids(db)
    admin = login("admin")
    shown = _post(admin, f"/mentions/{ids['a1']}/irrelevant", f"/mentions/{ids['a1']}")
    assert "Dismissed as irrelevant." in shown
    assert '<option value="stroomlijn fietsen">' in shown  # the suggested phrase
    with db.read() as session:
        (event,) = [e for e in mention_history(session, ids["a1"]) if e.data.get("to")]
    assert event.data == {"from": "new", "to": "dismissed", "reason": "irrelevant"}
    done = _post(admin, f"/mentions/{ids['a1']}/block", f"/mentions/{ids['a1']}",
                 kind="phrase", value="stroomlijn fietsen", scope="brand", sweep="1")  # fmt: skip
    assert "for Stroomlijn Energie" in done and "1 other new mention it matches" in done
    assert _statuses(db)["a2"] == "dismissed"
    collect(db, settings,
            Item("a3", "https://news.example/a3", "", "Stroomlijn Fietsen opent kantoor"),
            Item("s", "https://news.example/s", "", "Storing bij Stroomlijn in Assen"))  # fmt: skip
    assert "a3" not in _ids(db) and "s" in _ids(db)


def test_the_blocklist_page_suggests_repeat_spammers_and_undoes_entries(
    login: Callable[[str], FlaskClient], db: Database, settings: Settings
) -> None:
    collect(db, settings,
            Item("p1", "https://social.example/p1", "", "Stroomlijn korting", "@deals"),
            Item("p2", "https://social.example/p2", "", "Stroomlijn actie", "@deals"))  # fmt: skip
    with db.write() as session:
        for key, mention_id in _ids(db).items():
            if key.startswith("p"):
                change_status(session, mention_id, "spam", None)
    anne = login("anne")
    page = anne.get("/blocklist").get_data(as_text=True)
    assert "Marked as spam more than once" in page and "deals" in page
    done = _post(anne, "/blocklist", "/blocklist", kind="author", value="deals",
                 reason="spam", sweep="1")  # fmt: skip
    assert "“deals” is on the blocklist." in done
    assert "Marked as spam more than once" not in done
    with db.read() as session:
        block = session.scalars(select(Block)).one()
    assert (block.kind, block.value, block.reason, block.created_by) == (
        "author", "deals", "spam", "anne",
    )  # fmt: skip
    removed = _post(anne, f"/blocklist/{block.id}/remove", "/blocklist")
    assert "“deals” is off the blocklist" in removed
    collect(db, settings, Item("p3", "https://social.example/p3", "", "Stroomlijn", "@deals"))
    assert "p3" in _ids(db)


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("site", "localhost", "is not a site"),
        ("phrase", "ab", "too short"),
        ("word", "x", "unknown kind of block"),
    ],
)
def test_entries_that_cannot_work_are_refused_with_the_reason(
    login: Callable[[str], FlaskClient], kind: str, value: str, message: str
) -> None:
    done = _post(login("anne"), "/blocklist", "/blocklist", kind=kind, value=value)
    assert "Not added:" in done and message in done


def test_only_people_who_work_the_queues_change_the_blocklist(
    login: Callable[[str], FlaskClient], db: Database
) -> None:
    assert login("vera").get("/blocklist").status_code == 403
    assert login("rita").get("/blocklist").status_code == 403
    piet = login("piet")  # a PR officer may block, but only from mentions of his own team
    webcare_mention = _ids(db)["q1"]
    token = csrf_token(piet, "/blocklist")
    refused = piet.post(f"/mentions/{webcare_mention}/block",
                        data={"csrf_token": token, "kind": "author", "value": "x"})  # fmt: skip
    assert refused.status_code == 403
