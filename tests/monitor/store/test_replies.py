"""Reply snippets: the config file's are fixed, the team's own are added, changed and removed,
and the mention page offers those that fit the mention."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from monitor.config import Settings
from monitor.errors import WebcareError
from monitor.store.db import Database
from monitor.store.models import Event
from monitor.store.replies import all_replies, delete_reply, replies_for, save_reply

CONFIG_REPLY = {"name": "Sorry", "category": "complaint", "text": "Sorry {author}, we kijken."}


@pytest.fixture
def settings(settings_for: Callable[..., Settings]) -> Settings:
    return settings_for(replies=[CONFIG_REPLY])


def test_the_teams_own_snippets_follow_those_of_the_config_file(
    db: Database, settings: Settings
) -> None:
    with db.write() as session:
        save_reply(session, name="Vraag NL", category="question", language="nl",
                   text="Dag {author}, stuur ons een DM.", by=None, settings=settings)  # fmt: skip
        save_reply(session, name="andere", category=None, language=None, text="Bedankt!",
                   by=None, settings=settings)  # fmt: skip
    with db.read() as session:
        found = all_replies(session, settings)
        fitting = replies_for(session, settings, "question", "nl")
        english = replies_for(session, settings, "question", "en")
    assert [(r.reply.name, r.editable) for r in found] == [
        ("Sorry", False), ("andere", True), ("Vraag NL", True),
    ]  # fmt: skip
    assert [r.name for r in fitting] == ["andere", "Vraag NL"]
    assert [r.name for r in english] == ["andere"]
    assert fitting[1].render("@klant") == "Dag @klant, stuur ons een DM."


def test_a_snippet_can_be_changed_and_removed_and_both_are_logged(
    db: Database, settings: Settings
) -> None:
    with db.write() as session:
        snippet = save_reply(session, name="Storing", category="complaint", language=None,
                             text="Er is een storing.", by=None, settings=settings)  # fmt: skip
    with db.write() as session:
        save_reply(session, name="Storing", category="complaint", language="nl",
                   text="Er is een storing in je regio.", by=None, settings=settings,
                   reply_id=snippet.id)  # fmt: skip
    with db.read() as session:
        (changed,) = [r.reply for r in all_replies(session, settings) if r.editable]
    assert (changed.language, changed.text) == ("nl", "Er is een storing in je regio.")
    with db.write() as session:
        assert delete_reply(session, snippet.id, by=None) == "Storing"
    with db.read() as session:
        assert [r.reply.name for r in all_replies(session, settings)] == ["Sorry"]
        kinds = list(session.scalars(select(Event.kind).where(Event.kind.like("reply.%"))))
    assert kinds == ["reply.saved", "reply.saved", "reply.deleted"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "sorry"}, "in the config file already"),
        ({"name": "  "}, "name"),
        ({"text": ""}, "text"),
        ({"category": "moan"}, "category"),
        ({"language": "dutch"}, "language"),
        ({"text": "x" * 2001}, "text"),
    ],
)
def test_snippets_that_would_confuse_or_break_are_refused_with_a_reason(
    db: Database, settings: Settings, fields: dict[str, str], message: str
) -> None:
    values = {"name": "Nieuw", "category": "", "language": "", "text": "Hallo"} | fields
    with db.write() as session, pytest.raises(WebcareError, match=message):
        save_reply(session, by=None, settings=settings, **values)  # type: ignore[arg-type]


def test_two_snippets_cannot_share_a_name(db: Database, settings: Settings) -> None:
    with db.write() as session:
        save_reply(session, name="Dank", category=None, language=None, text="Dank je!",
                   by=None, settings=settings)  # fmt: skip
    with db.write() as session, pytest.raises(WebcareError, match="exists already"):
        save_reply(session, name="DANK", category=None, language=None, text="Top",
                   by=None, settings=settings)  # fmt: skip
