"""Figures about the queues over a period, for digests and the dashboard."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.names import OPEN_STATUSES
from monitor.store.models import Mention, Source


@dataclass
class TeamPeriod:
    team: str
    new: int = 0
    new_by_category: dict[str, int] = field(default_factory=dict)
    open: int = 0
    oldest_open: datetime | None = None
    resolved: int = 0


def team_period(session: Session, team: str, since: datetime, until: datetime) -> TeamPeriod:
    report = TeamPeriod(team)
    in_period = (Mention.team == team, Mention.collected_at >= since, Mention.collected_at < until)
    rows = session.execute(
        select(Mention.category, func.count()).where(*in_period).group_by(Mention.category)
    )
    report.new_by_category = {category: int(n) for category, n in rows}
    report.new = sum(report.new_by_category.values())
    open_ = (Mention.team == team, Mention.status.in_(OPEN_STATUSES))
    report.open = int(session.scalar(select(func.count()).where(*open_)) or 0)
    report.oldest_open = session.scalar(select(func.min(Mention.collected_at)).where(*open_))
    report.resolved = int(
        session.scalar(
            select(func.count()).where(
                Mention.team == team, Mention.resolved_at >= since, Mention.resolved_at < until
            )
        )
        or 0
    )
    return report


def team_texts(
    session: Session, team: str, since: datetime, until: datetime, *, limit: int
) -> list[str]:
    query = (
        select(Mention.title, Mention.text)
        .where(Mention.team == team, Mention.collected_at >= since, Mention.collected_at < until)
        .order_by(Mention.id.desc())
        .limit(limit)
    )
    return [f"{title}\n{text}".strip() for title, text in session.execute(query)]


@dataclass(frozen=True)
class OpenItem:
    id: int
    category: str
    brand: str
    team: str
    source: str
    priority: int
    collected_at: datetime
    first_response_at: datetime | None
    deadline_at: datetime | None
    title: str


def open_items(session: Session, since: datetime) -> list[OpenItem]:
    """Open mentions collected since `since`, as the SLA clocks need them."""
    query = (
        select(Mention.id, Mention.category, Mention.brand, Mention.team, Source.name,
               Mention.priority, Mention.collected_at, Mention.first_response_at,
               Mention.deadline_at, Mention.title, Mention.text)
        .join(Source, Source.id == Mention.source_id)
        .where(Mention.status.in_(OPEN_STATUSES), Mention.collected_at >= since)
    )  # fmt: skip
    return [
        OpenItem(*row[:9], title=(row[9] or row[10] or "")[:120]) for row in session.execute(query)
    ]


@dataclass(frozen=True)
class Handled:
    """One mention's clock readings, for service-level figures."""

    team: str
    category: str
    source: str
    collected_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    deadline_at: datetime | None


def collected_since(session: Session, since: datetime) -> list[tuple[datetime, str, str]]:
    """(collected_at, category, source) of every mention collected since `since`."""
    query = (
        select(Mention.collected_at, Mention.category, Source.name)
        .join(Source, Source.id == Mention.source_id)
        .where(Mention.collected_at >= since)
    )
    return [(at, category, source) for at, category, source in session.execute(query)]


def open_ages(session: Session) -> list[tuple[str, datetime]]:
    """(team, collected_at) of every open mention: the backlog."""
    query = select(Mention.team, Mention.collected_at).where(Mention.status.in_(OPEN_STATUSES))
    return [(team, at) for team, at in session.execute(query)]


def handled_since(session: Session, since: datetime) -> list[Handled]:
    """Mentions collected since `since` that a person has answered or closed."""
    query = (
        select(Mention.team, Mention.category, Source.name, Mention.collected_at,
               Mention.first_response_at, Mention.resolved_at, Mention.deadline_at)
        .join(Source, Source.id == Mention.source_id)
        .where(Mention.collected_at >= since)
        .where(Mention.first_response_at.is_not(None) | Mention.resolved_at.is_not(None))
    )  # fmt: skip
    return [Handled(*row) for row in session.execute(query)]
