"""Reply snippets on the mention page: those for its category and language, ready to copy."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from monitor.config import Settings
from monitor.store.db import Database
from monitor.store.models import ReplySnippet
from tests.webui.conftest import csrf_token


@pytest.fixture
def settings(settings_for: Callable[..., Settings]) -> Settings:
    return settings_for(
        [{"name": "social", "url": "https://social.example/feed"}],
        replies=[
            {"name": "We zoeken het uit", "category": "question", "language": "nl",
             "text": "Hoi {author}, we zoeken het uit!"},
            {"name": "We're on it", "category": "question", "language": "en",
             "text": "Hi {author}, we're on it."},
            {"name": "Excuses", "category": "complaint", "text": "Sorry {author}."},
            {"name": "Bedankt <3", "text": "Dank voor je bericht <3"},
        ],
    )  # fmt: skip


def test_the_snippets_that_fit_are_offered_to_those_who_may_answer(
    login: Callable[[str], FlaskClient],
) -> None:
    anne = login("anne")
    items = anne.get("/api/v1/mentions?team=webcare").json["items"]
    question = next(i for i in items if i["url"] == "https://social.example/q1")
    assert (question["category"], question["language"]) == ("question", "nl")
    page = anne.get(f"/mentions/{question['id']}").get_data(as_text=True)
    assert "We zoeken het uit" in page and "Hoi, we zoeken het uit!" in page
    assert "Bedankt &lt;3" in page and "Dank voor je bericht &lt;3" in page  # escaped
    assert "we&#39;re on it" not in page.lower() and "Excuses" not in page
    assert page.count('data-copy="reply-') == 2
    # A viewer cannot answer for the organisation: no snippets.
    assert "data-copy=" not in login("vera").get(f"/mentions/{question['id']}").get_data(
        as_text=True
    )


def _question_id(client: FlaskClient) -> int:
    items = client.get("/api/v1/mentions?team=webcare").json["items"]
    return int(next(i["id"] for i in items if i["url"] == "https://social.example/q1"))


def test_the_team_writes_its_own_snippets_and_they_show_where_they_fit(
    login: Callable[[str], FlaskClient],
) -> None:
    anne = login("anne")
    token = csrf_token(anne, "/replies")
    added = anne.post("/replies", data={"csrf_token": token, "name": "Verhuizing",
                      "category": "question", "language": "nl",
                      "text": "Hoi {author}, een verhuizing geef je door in de app."},
                      follow_redirects=True)  # fmt: skip
    assert added.status_code == 200
    assert "Snippet “Verhuizing” saved" in added.get_data(as_text=True)
    page = anne.get("/replies").get_data(as_text=True)
    assert "We zoeken het uit" in page and "config file" in page  # the file's, read-only
    question = anne.get(f"/mentions/{_question_id(anne)}").get_data(as_text=True)
    assert "Hoi, een verhuizing geef je door in de app." in question
    assert question.count('data-copy="reply-') == 3


def test_a_snippet_is_edited_and_deleted_and_mistakes_are_explained(
    login: Callable[[str], FlaskClient], db: Database
) -> None:
    anne = login("anne")
    token = csrf_token(anne, "/replies")
    form = {"csrf_token": token, "name": "Storing", "category": "complaint", "language": "",
            "text": "Er is een storing."}  # fmt: skip
    anne.post("/replies", data=form)
    with db.read() as session:
        snippet_id = session.scalars(select(ReplySnippet.id)).one()
    editing = anne.get(f"/replies?edit={snippet_id}").get_data(as_text=True)
    assert f'action="/replies/{snippet_id}"' in editing
    changed = anne.post(f"/replies/{snippet_id}", data={**form, "text": "We werken eraan."})
    assert changed.status_code == 302
    clash = anne.post("/replies", data={**form, "name": "excuses"})
    assert clash.status_code == 400
    assert "in the config file already" in clash.get_data(as_text=True)
    empty = anne.post("/replies", data={**form, "name": "Leeg", "text": "  "})
    assert empty.status_code == 400 and "Not saved: text:" in empty.get_data(as_text=True)
    assert "We werken eraan." in anne.get("/replies").get_data(as_text=True)
    deleted = anne.post(f"/replies/{snippet_id}/delete", data={"csrf_token": token})
    assert deleted.status_code == 302
    with db.read() as session:
        assert session.scalar(select(ReplySnippet.id)) is None
    assert anne.post(f"/replies/{snippet_id}/delete", data={"csrf_token": token}).status_code == 404


def test_only_people_who_answer_edit_snippets(login: Callable[[str], FlaskClient]) -> None:
    assert login("vera").get("/replies").status_code == 403
    assert login("rita").get("/replies").status_code == 403
    anne = login("anne")
    assert anne.post("/replies", data={"name": "x", "text": "y"}).status_code == 400  # no CSRF
