"""Round-robin auto-assignment within a team, with a cap per person.

A periodic job (once across workers) hands each team's new, unassigned mentions, most urgent
first, to the member with the fewest open mentions of that team; on a tie, to the one who
got one longest ago. Nobody gets more than `[assignment] cap` open mentions of a team, so when
everyone is full the rest waits in the team queue. Admins are not members for this purpose:
they can work every queue, but are not on every team's rota. Nor is anyone who said they are
away (on *Your settings*), until they are back; what they hold stays theirs.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.config import Settings
from monitor.names import OPEN_STATUSES
from monitor.store.assignments import assign
from monitor.store.db import Database
from monitor.store.models import Mention, Team, User, UserTeam

BATCH = 200
ROTA_ROLES = ("agent", "pr_officer")
_LONG_AGO = datetime(1970, 1, 1, tzinfo=UTC)


def rota(session: Session, team: str) -> list[User]:
    """The active agents and PR officers of a team who are not away."""
    query = (
        select(User)
        .join(UserTeam, UserTeam.user_id == User.id)
        .join(Team, Team.id == UserTeam.team_id)
        .where(Team.name == team, User.active.is_(True), User.role.in_(ROTA_ROLES))
        .where(User.away_since.is_(None))
        .order_by(User.id)
    )
    return list(session.scalars(query))


def _loads(session: Session, team: str) -> dict[int, tuple[int, datetime]]:
    """Per assignee: open mentions of the team, and when they last got one."""
    rows = session.execute(
        select(Mention.assignee_id, func.count(), func.max(Mention.assigned_at))
        .where(Mention.team == team, Mention.status.in_(OPEN_STATUSES))
        .where(Mention.assignee_id.is_not(None))
        .group_by(Mention.assignee_id)
    )
    return {
        user_id: (int(n), last or _LONG_AGO) for user_id, n, last in rows if user_id is not None
    }


def assign_team(session: Session, team: str, cap: int) -> int:
    """Assign what fits for one team; returns how many were assigned."""
    people = rota(session, team)
    if not people:
        return 0
    loads = _loads(session, team)
    load = {p.id: loads.get(p.id, (0, _LONG_AGO)) for p in people}
    room = sum(max(cap - n, 0) for n, _ in load.values())
    if room == 0:
        return 0
    waiting = session.scalars(
        select(Mention.id)
        .where(Mention.team == team, Mention.status == "new", Mention.assignee_id.is_(None))
        .where(Mention.needs_review.is_(False))
        .order_by(Mention.priority.desc(), Mention.collected_at, Mention.id)
        .limit(min(room, BATCH))
        .with_for_update(skip_locked=True)
    ).all()
    by_id = {p.id: p for p in people}
    assigned = 0
    for mention_id in waiting:
        free = [(n, last, user_id) for user_id, (n, last) in load.items() if n < cap]
        if not free:
            break
        n, _, user_id = min(free)
        assign(session, mention_id, by_id[user_id], None)
        load[user_id] = (n + 1, datetime.now(UTC))
        assigned += 1
    return assigned


def auto_assign(settings: Settings, db: Database) -> str:
    """The periodic job: each configured team in its own transaction."""
    counts = {}
    for team in settings.assignment.teams:
        with db.write() as session:
            counts[team] = assign_team(session, team, settings.assignment.cap)
    done = {team: n for team, n in counts.items() if n}
    if not done:
        return "nothing to assign"
    return ", ".join(f"{n} to {team.replace('_', ' ')}" for team, n in done.items())
