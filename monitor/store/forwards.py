"""Forwards: which employee sent webcare which mention, and whether they heard it was handled."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from monitor.names import FORWARDS_SOURCE
from monitor.store.events import record_event
from monitor.store.models import Forward, Mention, Sighting, Source, User, utcnow
from monitor.store.sources import INTERNAL

# A second submission of the same thing by the same person within this time is a double click
# (or a retried request), not a new forward.
REPEAT_WINDOW = timedelta(minutes=10)


def forwards_source_id(session: Session) -> int:
    """The source forwards are stored under, made on first use."""
    found = session.scalar(select(Source.id).where(Source.name == FORWARDS_SOURCE))
    if found is not None:
        return int(found)
    source = Source(
        name=FORWARDS_SOURCE, type="forward", url="", interval_seconds=0.0, state=INTERNAL
    )
    session.add(source)
    session.flush()
    return source.id


def fingerprint(forwarder: str, url: str | None, text: str) -> str:
    return hashlib.sha256(f"{forwarder}\n{url or ''}\n{text}".encode()).hexdigest()


def lock_fingerprint(session: Session, value: str) -> None:
    """Serialise two submissions of the same forward until the first commits. SQLite write
    transactions are serial already; PostgreSQL takes a transaction advisory lock."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": value})


def recent_repeat(
    session: Session, forwarder: str, value: str, now: datetime | None = None
) -> Forward | None:
    since = (now or utcnow()) - REPEAT_WINDOW
    return session.scalar(
        select(Forward)
        .where(
            Forward.forwarder == forwarder,
            Forward.fingerprint == value,
            Forward.created_at >= since,
        )
        .order_by(Forward.id.desc())
        .limit(1)
    )


def credited(session: Session, forwarder: str, value: str) -> bool:
    """Whether this forward (a mail, known by its Message-ID) is recorded already."""
    found = session.scalar(
        select(Forward.id)
        .where(Forward.forwarder == forwarder, Forward.fingerprint == value)
        .limit(1)
    )
    return found is not None


def forwarded_before(session: Session, source_id: int, sighting_key: str) -> int | None:
    """The mention an item of this source with this identity became before, if any."""
    found = session.scalar(
        select(Sighting.mention_id)
        .where(Sighting.source_id == source_id, Sighting.sighting_key == sighting_key)
        .limit(1)
    )
    return int(found) if found is not None else None


def record_forward(
    session: Session,
    *,
    mention_id: int,
    user: User | None,
    forwarder: str,
    channel: str,
    url: str | None,
    note: str | None,
    existing: bool,
    fingerprint: str,
) -> Forward:
    forward = Forward(
        mention_id=mention_id,
        user_id=user.id if user else None,
        forwarder=forwarder,
        channel=channel,
        url=url,
        note=note or None,
        existing=existing,
        fingerprint=fingerprint,
        created_at=utcnow(),
    )
    session.add(forward)
    session.flush()
    record_event(
        session,
        "mention.forwarded",
        mention_id=mention_id,
        user_id=user.id if user else None,
        actor=forwarder,
        data={"channel": channel, "existing": existing, **({"note": note} if note else {})},
    )
    return forward


def my_forwards(session: Session, forwarder: str, limit: int = 100) -> list[Forward]:
    return list(
        session.scalars(
            select(Forward)
            .where(Forward.forwarder == forwarder)
            .order_by(Forward.created_at.desc(), Forward.id.desc())
            .limit(limit)
        )
    )


def forwards_of(session: Session, mention_id: int) -> list[Forward]:
    return list(
        session.scalars(
            select(Forward).where(Forward.mention_id == mention_id).order_by(Forward.id)
        )
    )


def handled_untold(session: Session, limit: int = 500) -> list[Forward]:
    """Forwards whose mention webcare resolved and whose forwarder has not been told yet."""
    return list(
        session.scalars(
            select(Forward)
            .join(Mention, Mention.id == Forward.mention_id)
            .where(Forward.notified_at.is_(None), Mention.status == "resolved")
            .order_by(Forward.id)
            .limit(limit)
            .with_for_update(of=Forward, skip_locked=True)
        )
    )


def ambassadors(
    session: Session, since: datetime, limit: int = 10
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """Forwards since a moment: per forwarder, most first; and per team they landed in."""
    count = func.count()
    people = session.execute(
        select(Forward.forwarder, count)
        .where(Forward.created_at >= since)
        .group_by(Forward.forwarder)
        .order_by(count.desc(), Forward.forwarder)
        .limit(limit)
    )
    teams = session.execute(
        select(Mention.team, count)
        .select_from(Forward)
        .join(Mention, Mention.id == Forward.mention_id)
        .where(Forward.created_at >= since)
        .group_by(Mention.team)
        .order_by(count.desc())
    )
    return [(str(n), int(c)) for n, c in people], [(str(n), int(c)) for n, c in teams]
