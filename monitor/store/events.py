"""The append-only event log: writing entries and reading a mention's history."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.store.models import Event


def record_event(
    session: Session,
    kind: str,
    *,
    mention_id: int | None = None,
    source_id: int | None = None,
    user_id: int | None = None,
    actor: str = "system",
    data: dict[str, Any] | None = None,
) -> None:
    session.add(
        Event(
            kind=kind,
            mention_id=mention_id,
            source_id=source_id,
            user_id=user_id,
            actor=actor,
            data=data or {},
        )
    )


def mention_history(session: Session, mention_id: int) -> list[Event]:
    return list(
        session.scalars(select(Event).where(Event.mention_id == mention_id).order_by(Event.id))
    )


def source_history(session: Session, source_id: int, limit: int = 50) -> list[Event]:
    return list(
        session.scalars(
            select(Event).where(Event.source_id == source_id).order_by(Event.id.desc()).limit(limit)
        )
    )
