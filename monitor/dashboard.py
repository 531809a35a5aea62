"""The dashboard's figures: what came in per day and from where, how old the open backlog is,
and how well each team keeps its service levels."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from monitor.config import Settings
from monitor.names import CATEGORIES, TEAMS
from monitor.sla import BusinessHours, SlaKind, sla_clock
from monitor.store.reports import Handled, collected_since, handled_since, open_ages

# Backlog age bands: label and upper bound in seconds.
AGE_BANDS: tuple[tuple[str, float], ...] = (
    ("under 1 h", 3600),
    ("1–4 h", 4 * 3600),
    ("4–24 h", 24 * 3600),
    ("1–3 days", 3 * 24 * 3600),
    ("over 3 days", math.inf),
)


@dataclass
class Attainment:
    """Clocks that ran out in time, and those that did not."""

    met: int = 0
    breached: int = 0

    @property
    def share(self) -> float | None:
        total = self.met + self.breached
        return self.met / total if total else None


@dataclass
class TeamService:
    first_response: Attainment = field(default_factory=Attainment)
    resolution: Attainment = field(default_factory=Attainment)
    first_response_seconds: list[float] = field(default_factory=list)

    @property
    def median_first_response(self) -> float | None:
        return (
            statistics.median(self.first_response_seconds) if self.first_response_seconds else None
        )


@dataclass(frozen=True)
class Figures:
    days: list[date]  # oldest first, in the organisation's time zone
    per_day: dict[str, list[int]]  # category -> count on each day
    sources: list[tuple[str, int]]  # most mentions first
    backlog: dict[str, list[int]]  # team -> open mentions in each AGE_BANDS band
    service: dict[str, TeamService]  # team -> its service levels in the period

    @property
    def total(self) -> int:
        return sum(sum(counts) for counts in self.per_day.values())


def figures(settings: Settings, session: Session, now: datetime, days: int) -> Figures:
    zone = settings.locale.zone
    first_day = now.astimezone(zone).date() - timedelta(days=days - 1)
    since = datetime.combine(first_day, datetime.min.time(), zone)
    day_list = [first_day + timedelta(days=n) for n in range(days)]
    index = {day: n for n, day in enumerate(day_list)}
    per_day = {category: [0] * days for category in CATEGORIES}
    sources: Counter[str] = Counter()
    for collected_at, category, source in collected_since(session, since):
        n = index.get(collected_at.astimezone(zone).date())
        if n is not None and category in per_day:
            per_day[category][n] += 1
        sources[source] += 1
    backlog = {team: [0] * len(AGE_BANDS) for team in TEAMS}
    for team, collected_at in open_ages(session):
        age = (now - collected_at).total_seconds()
        band = next(i for i, (_, bound) in enumerate(AGE_BANDS) if age < bound)
        if team in backlog:
            backlog[team][band] += 1
    service = {team: TeamService() for team in TEAMS}
    hours = settings.business_hours()
    for item in handled_since(session, since):
        if item.team in service:
            _judge(settings, hours, item, now, service[item.team])
    return Figures(day_list, per_day, sources.most_common(), backlog, service)


def _judge(
    settings: Settings, hours: BusinessHours, item: Handled, now: datetime, into: TeamService
) -> None:
    target = settings.sla.target(item.category, item.source)
    if item.first_response_at is not None:
        into.first_response_seconds.append(
            max((item.first_response_at - item.collected_at).total_seconds(), 0.0)
        )
    done: dict[SlaKind, datetime | None] = {
        "first_response": item.first_response_at,
        "resolution": item.resolved_at,
    }
    for kind, done_at in done.items():
        if done_at is None:
            continue
        clock = sla_clock(kind=kind, started_at=item.collected_at,
                          target_seconds=target.seconds(kind), hours=hours, done_at=done_at,
                          now=now, deadline_at=item.deadline_at)  # fmt: skip
        if clock is None:
            continue
        tally = into.first_response if kind == "first_response" else into.resolution
        if clock.state == "met":
            tally.met += 1
        else:
            tally.breached += 1
