"""The checks every change to a mention goes through, for pages and API alike."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import abort
from sqlalchemy.orm import Session

from monitor.alerts.personal import note_alerts
from monitor.errors import WebcareError
from monitor.store.alerts import raise_alerts
from monitor.store.mentions import get_mention
from monitor.store.models import Mention, Note, User, utcnow
from monitor.store.notes import add_note
from webui.auth import user
from webui.context import get_settings


@contextmanager
def workable_mention(session: Session, mention_id: int) -> Iterator[tuple[Mention, User | None]]:
    """The mention and the acting user, if the mention exists and the user may change it;
    a user error inside the block becomes a 400 with its message."""
    mention = get_mention(session, mention_id)
    if mention is None:
        abort(404, f"Mention {mention_id} does not exist.")
    if not user().can_work(mention.team):
        abort(403, f"Only members of the {mention.team} team can change this mention.")
    try:
        yield mention, session.get(User, user().id)
    except WebcareError as exc:
        abort(400, str(exc))


def write_note(
    session: Session, mention_id: int, author: User, body: str
) -> tuple[Note, list[str]]:
    """Add a note; colleagues it @mentions get a mail (when mail is set up) in the same
    transaction, so a note is never stored without its notices or the other way round.
    Returns the note and the names of the people who will be mailed."""
    note, people = add_note(session, mention_id, author, body)
    mention = get_mention(session, mention_id)
    assert mention is not None  # add_note checked
    now = utcnow()
    notices = note_alerts(get_settings(), note, mention, people, now)
    raise_alerts(session, notices, now)
    return note, [a.targets[0].removeprefix("user:") for a in notices]
