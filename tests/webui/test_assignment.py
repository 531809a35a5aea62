"""Assigning, claiming, moving and notes, through the pages and the API: who has what is
visible to the team, and an @mention in a note reaches the colleague by mail."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from monitor.alerts.dispatch import Dispatcher
from monitor.config import Settings
from monitor.store.db import Database
from monitor.store.models import User
from tests.conftest import SmtpServer
from tests.webui.conftest import csrf_token
from tests.webui.test_api import _token


@pytest.fixture
def settings(
    settings_for: Callable[..., Settings], smtp_server: SmtpServer, db: Database
) -> Settings:
    return settings_for(
        [{"name": "social", "url": "https://social.example/feed"}],
        mail={"host": "127.0.0.1", "port": smtp_server.port, "security": "none",
              "sender": "webcare@stroomlijn.test"},
    )  # fmt: skip


def _question_id(client: FlaskClient, headers: dict[str, str]) -> int:
    """The question about a change of address, in the webcare queue."""
    items = client.get("/api/v1/mentions?team=webcare", headers=headers).json["items"]
    return int(next(i["id"] for i in items if i["url"] == "https://social.example/q1"))


def test_assigning_through_the_api_follows_the_teams(app: Flask, db: Database) -> None:
    client, anne = app.test_client(), _token(db, "anne")
    mention_id = _question_id(client, anne)
    path = f"/api/v1/mentions/{mention_id}/assign"
    given = client.post(path, json={"user": "anne"}, headers=anne)
    assert given.status_code == 200
    assert (given.json["assignee"], given.json["status"]) == ("anne", "assigned")
    refused = client.post(path, json={"user": "piet"}, headers=anne)
    assert (
        refused.status_code == 400 and "piet cannot work the webcare queue" in refused.json["error"]
    )
    assert client.post(path, json={"user": "nobody"}, headers=anne).status_code == 400
    assert client.post(path, json={"assignee": "anne"}, headers=anne).status_code == 400
    assert client.post(path, json={"user": 7}, headers=anne).status_code == 400
    # A viewer may read but not change, a PR officer only works the spokesperson queue.
    assert client.post(path, json={"user": None}, headers=_token(db, "vera")).status_code == 403
    assert client.post(path, json={"user": None}, headers=_token(db, "piet")).status_code == 403
    # Moving it to the press desk and giving it to Piet in one call.
    moved = client.post(path, json={"team": "spokesperson", "user": "piet"},
                        headers=_token(db, "admin"))  # fmt: skip
    assert moved.status_code == 200
    assert (moved.json["team"], moved.json["assignee"]) == ("spokesperson", "piet")
    back = client.post(path, json={"user": None}, headers=_token(db, "piet"))
    assert (back.json["assignee"], back.json["status"]) == (None, "new")


def test_a_note_that_mentions_a_colleague_mails_them(
    app: Flask, db: Database, settings: Settings, smtp_server: SmtpServer
) -> None:
    with db.write() as session:
        for user in session.query(User):
            user.email = f"{user.name}@stroomlijn.test"
    client, anne = app.test_client(), _token(db, "anne")
    mention_id = _question_id(client, anne)
    path = f"/api/v1/mentions/{mention_id}/notes"
    written = client.post(path, json={"text": "@admin mag ik hier compensatie bieden?"},
                          headers=anne)  # fmt: skip
    assert written.status_code == 201
    assert (written.json["author"], written.json["mentioned"], written.json["mailed"]) == (
        "anne",
        ["admin"],
        ["admin"],
    )
    assert client.post(path, json={"text": "  "}, headers=anne).status_code == 400
    assert client.post(path, json={"body": "x"}, headers=anne).status_code == 400
    detail = client.get(f"/api/v1/mentions/{mention_id}", headers=anne).json
    assert [n["text"] for n in detail["notes"]] == ["@admin mag ik hier compensatie bieden?"]

    assert Dispatcher(settings, db, "w1").send_due() == 1
    [mail] = smtp_server.wait_for(1)
    assert mail.recipients == ["admin@stroomlijn.test"]
    assert detail["category"] == "question"
    assert mail.subject == "anne mentioned you on a question"
    assert "mag ik hier compensatie bieden?" in mail.text()
    assert f"/mentions/{mention_id}" in mail.text()


def test_taking_a_mention_shows_the_others_who_works_on_it(
    app: Flask, login: Callable[[str], FlaskClient], db: Database
) -> None:
    anne = login("anne")
    mention_id = _question_id(anne, {})
    token = csrf_token(anne, f"/mentions/{mention_id}")
    taken = anne.post(f"/mentions/{mention_id}/claim", data={"csrf_token": token},
                      follow_redirects=True)  # fmt: skip
    page = taken.get_data(as_text=True)
    assert "You are working on this" in page
    mine = anne.get("/queue/mine").get_data(as_text=True)
    assert f'data-mention-id="{mention_id}"' in mine and 'data-team-count="mine">1<' in mine

    admin = login("admin")
    queue = admin.get("/queue/webcare").get_data(as_text=True)
    assert "anne is working on this" in queue
    assert "anne is working on this" in admin.get(f"/mentions/{mention_id}").get_data(as_text=True)
    assert 'data-team-count="mine">0<' in queue


def test_notes_and_hand_overs_on_the_page_land_in_the_history(
    login: Callable[[str], FlaskClient],
) -> None:
    admin = login("admin")
    mention_id = _question_id(admin, {})
    token = csrf_token(admin, f"/mentions/{mention_id}")
    admin.post(f"/mentions/{mention_id}/assign", data={"csrf_token": token, "assignee": "anne"})
    admin.post(f"/mentions/{mention_id}/assign",
               data={"csrf_token": token, "team": "customer_service"})  # fmt: skip
    noted = admin.post(
        f"/mentions/{mention_id}/notes",
        data={"csrf_token": token, "body": "<b>@anne</b> klant belt morgen terug"},
        follow_redirects=True,
    )
    page = noted.get_data(as_text=True)
    assert "It mentions anne; a mail goes to" not in page  # nobody has an address yet
    assert "Note added. It mentions anne." in page
    assert "&lt;b&gt;" in page and "<b>@anne" not in page  # escaped, never markup
    assert '<span class="at">@anne</span>' in page
    assert "assigned it to anne" in page
    assert "moved it from Webcare to Customer service" in page
    assert "added a note</a> for anne" in page
    # Anne does not work customer service: the move handed it back to that team.
    assert "Nobody has this yet." in page
    empty = admin.post(f"/mentions/{mention_id}/notes", data={"csrf_token": token, "body": " "})
    assert empty.status_code == 400
    assert admin.post(f"/mentions/{mention_id}/notes", data={"body": "x"}).status_code == 400
