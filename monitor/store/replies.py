"""Canned reply snippets: those of the config file ([[replies]], read-only) and those the team
keeps in the database and edits on a page. Both are validated by the same ReplySettings."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.config import ReplySettings, Settings
from monitor.errors import WebcareError
from monitor.store.events import record_event
from monitor.store.models import ReplySnippet, User, utcnow


@dataclass(frozen=True)
class Reply:
    reply: ReplySettings
    id: int | None = None  # None: from the config file, edited there

    @property
    def editable(self) -> bool:
        return self.id is not None


def all_replies(session: Session, settings: Settings) -> list[Reply]:
    """The config file's snippets first, in its order, then the database's by name."""
    stored = session.scalars(select(ReplySnippet).order_by(func.lower(ReplySnippet.name)))
    return [Reply(r) for r in settings.replies] + [
        Reply(
            ReplySettings(name=s.name, category=s.category, language=s.language, text=s.text),
            s.id,
        )
        for s in stored
    ]


def replies_for(
    session: Session, settings: Settings, category: str, language: str | None
) -> list[ReplySettings]:
    return [r.reply for r in all_replies(session, settings) if r.reply.fits(category, language)]


def _validated(name: str, category: str | None, language: str | None, text: str) -> ReplySettings:
    try:
        return ReplySettings(
            name=name.strip(),
            category=category or None,
            language=language or None,
            text=text.strip(),
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        raise WebcareError(f"{where}: {error['msg']}") from None


def save_reply(
    session: Session,
    *,
    name: str,
    category: str | None,
    language: str | None,
    text: str,
    by: User | None,
    settings: Settings,
    reply_id: int | None = None,
) -> ReplySnippet:
    """Add a snippet, or change the one with reply_id; names are unique across the config file
    and the database, so that a person can tell them apart on the mention page."""
    reply = _validated(name, category, language, text)
    if any(r.name.casefold() == reply.name.casefold() for r in settings.replies):
        raise WebcareError(f"a snippet named {reply.name!r} is in the config file already")
    clash = session.scalar(
        select(ReplySnippet).where(func.lower(ReplySnippet.name) == reply.name.lower())
    )
    if clash is not None and clash.id != reply_id:
        raise WebcareError(f"a snippet named {reply.name!r} exists already")
    if reply_id is None:
        snippet = ReplySnippet()
        session.add(snippet)
    else:
        found = session.get(ReplySnippet, reply_id)
        if found is None:
            raise WebcareError(f"snippet {reply_id} does not exist")
        snippet = found
    snippet.name, snippet.category, snippet.language = reply.name, reply.category, reply.language
    snippet.text = reply.text
    snippet.updated_by = by.name if by else "system"
    snippet.updated_at = utcnow()
    session.flush()
    record_event(
        session,
        "reply.saved",
        user_id=by.id if by else None,
        actor=by.name if by else "system",
        data={"id": snippet.id, "name": snippet.name, "new": reply_id is None},
    )
    return snippet


def delete_reply(session: Session, reply_id: int, *, by: User | None) -> str:
    snippet = session.get(ReplySnippet, reply_id)
    if snippet is None:
        raise WebcareError(f"snippet {reply_id} does not exist")
    session.delete(snippet)
    record_event(
        session,
        "reply.deleted",
        user_id=by.id if by else None,
        actor=by.name if by else "system",
        data={"id": reply_id, "name": snippet.name},
    )
    return snippet.name
