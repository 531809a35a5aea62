"""Internal notes: bounded, logged, and the colleagues they @mention are found by name."""

from __future__ import annotations

import pytest

from monitor.errors import WebcareError
from monitor.store.db import Database
from monitor.store.events import mention_history
from monitor.store.notes import MAX_NOTE, add_note, list_notes, mentioned_names
from monitor.store.users import get_user


def test_at_names_are_read_from_the_text() -> None:
    assert mentioned_names("@anne kun jij dit doen? cc @Jan.de.Vries.") == ["anne", "Jan.de.Vries"]
    assert mentioned_names("mail naar info@stroomlijn.nl, @@piet, @piet") == ["piet"]
    assert mentioned_names("geen namen hier") == []


def test_a_note_finds_the_active_colleagues_it_mentions(db: Database, mention_id: int) -> None:
    with db.write() as session:
        anne = get_user(session, "anne")
        assert anne is not None
        note, people = add_note(
            session, mention_id, anne, "  @PIET wil jij de pers doen? @oud @niemand @anne  "
        )
        assert [p.name for p in people] == ["piet"]  # not the inactive, unknown, or herself
        assert note.mentioned == ["piet"] and note.body.startswith("@PIET")
    with db.read() as session:
        [stored] = list_notes(session, mention_id)
        assert stored.author == "anne"
        [event] = [e for e in mention_history(session, mention_id)]
        assert event.kind == "mention.note_added"
        assert event.data == {"note_id": stored.id, "mentioned": ["piet"]}


@pytest.mark.parametrize(
    ("body", "message"),
    [("   ", "needs some text"), ("x" * (MAX_NOTE + 1), "at most 5,000 characters")],
)
def test_empty_and_enormous_notes_are_refused(
    db: Database, mention_id: int, body: str, message: str
) -> None:
    with db.write() as session, pytest.raises(WebcareError, match=message):
        anne = get_user(session, "anne")
        assert anne is not None
        add_note(session, mention_id, anne, body)
    with db.read() as session:
        assert list_notes(session, mention_id) == []
