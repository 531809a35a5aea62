"""Internal notes on a mention, with @mentions of colleagues."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.errors import WebcareError
from monitor.store.events import record_event
from monitor.store.models import Mention, Note, User, utcnow

MAX_NOTE = 5000
# "@anne", "@jan.de.vries", "@piet-w": user names as `webcare user add` accepts them.
_MENTION = re.compile(r"(?<![\w@])@([\w][\w.-]{0,99})")


def mention_spans(body: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of each @name in a note; a trailing full stop ends the sentence,
    not the name."""
    spans = []
    for match in _MENTION.finditer(body):
        name = match.group(1).rstrip(".-")
        if name:
            spans.append((match.start(), match.start() + 1 + len(name), name))
    return spans


def mentioned_names(body: str) -> list[str]:
    """The @names in a note, in order, each once."""
    return list(dict.fromkeys(name for _, _, name in mention_spans(body)))


def add_note(session: Session, mention_id: int, author: User, body: str) -> tuple[Note, list[User]]:
    """Store a note and log it; returns the note and the active colleagues it @mentions."""
    body = body.strip()
    if not body:
        raise WebcareError("a note needs some text")
    if len(body) > MAX_NOTE:
        raise WebcareError(
            f"a note holds at most {MAX_NOTE:,} characters; this one has {len(body):,}"
        )
    if session.get(Mention, mention_id) is None:
        raise WebcareError(f"mention {mention_id} does not exist")
    wanted = {name.lower() for name in mentioned_names(body)}
    people = (
        list(
            session.scalars(
                select(User)
                .where(User.active.is_(True), func.lower(User.name).in_(wanted))
                .order_by(User.name)
            )
        )
        if wanted
        else []
    )
    people = [p for p in people if p.id != author.id]
    note = Note(
        mention_id=mention_id,
        user_id=author.id,
        author=author.name,
        body=body,
        mentioned=[p.name for p in people],
        created_at=utcnow(),
    )
    session.add(note)
    session.flush()
    record_event(
        session,
        "mention.note_added",
        mention_id=mention_id,
        user_id=author.id,
        actor=author.name,
        data={"note_id": note.id, "mentioned": note.mentioned},
    )
    return note, people


def list_notes(session: Session, mention_id: int) -> list[Note]:
    return list(
        session.scalars(select(Note).where(Note.mention_id == mention_id).order_by(Note.id))
    )
