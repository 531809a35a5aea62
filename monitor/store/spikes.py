"""Counts of mentions per brand and category in a time window, and the spikes that are open."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.store.models import Mention, Spike


def counts(
    session: Session, start: datetime, end: datetime, categories: Sequence[str]
) -> dict[tuple[str, str], int]:
    """(brand, category) -> mentions published in [start, end)."""
    query = (
        select(Mention.brand, Mention.category, func.count())
        .where(
            Mention.published_at >= start,
            Mention.published_at < end,
            Mention.category.in_(categories),
        )
        .group_by(Mention.brand, Mention.category)
    )
    return {(brand, category): int(n) for brand, category, n in session.execute(query)}


def posts(
    session: Session,
    brand: str,
    category: str,
    windows: Sequence[tuple[datetime, datetime]],
    *,
    limit: int,
) -> list[tuple[int, str, int]]:
    """(id, text, priority) of mentions in the windows, highest priority first."""
    found: list[tuple[int, str, int]] = []
    for start, end in windows:
        query = (
            select(Mention.id, Mention.title, Mention.text, Mention.priority)
            .where(
                Mention.brand == brand,
                Mention.category == category,
                Mention.published_at >= start,
                Mention.published_at < end,
            )
            .order_by(Mention.priority.desc(), Mention.id)
            .limit(limit - len(found))
        )
        found += [
            (id_, f"{title}\n{text}".strip(), prio)
            for id_, title, text, prio in session.execute(query)
        ]
        if len(found) >= limit:
            break
    return found


def open_spikes(session: Session) -> dict[tuple[str, str], Spike]:
    query = select(Spike).where(Spike.ended_at.is_(None))
    return {(s.brand, s.category): s for s in session.scalars(query)}
