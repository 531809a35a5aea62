"""Who has a mention: assigning, claiming, handing back and moving it to another team.

Every change is checked against the teams (a mention can only be given to someone who may work
its team's queue) and logged in the event history with who did it.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.errors import WebcareError
from monitor.names import TEAMS, WORK_ROLES
from monitor.store.events import record_event
from monitor.store.mentions import change_status
from monitor.store.models import Mention, Team, User, UserTeam, utcnow


def may_work(user: User, team: str) -> bool:
    """Admins work every queue; agents and PR officers the queues of their teams."""
    if not user.active or user.role not in WORK_ROLES:
        return False
    return user.role == "admin" or any(t.name == team for t in user.teams)


def team_members(session: Session, team: str) -> list[User]:
    """The active people who may be given this team's mentions, by name."""
    members = session.scalars(
        select(User)
        .where(User.active.is_(True), User.role.in_(WORK_ROLES))
        .where(
            (User.role == "admin")
            | User.id.in_(
                select(UserTeam.user_id)
                .join(Team, Team.id == UserTeam.team_id)
                .where(Team.name == team)
            )
        )
        .order_by(func.lower(User.name))
    )
    return list(members)


def _locked(session: Session, mention_id: int) -> Mention:
    mention = session.get(Mention, mention_id, with_for_update={"of": Mention})
    if mention is None:
        raise WebcareError(f"mention {mention_id} does not exist")
    return mention


def _log(session: Session, kind: str, mention: Mention, by: User | None, **data: object) -> None:
    record_event(
        session,
        kind,
        mention_id=mention.id,
        user_id=by.id if by else None,
        actor=by.name if by else "system",
        data=dict(data),
    )


def assign(session: Session, mention_id: int, assignee: User | None, by: User | None) -> Mention:
    """Give the mention to `assignee`, or with None hand it back to the team.

    A new mention becomes assigned; an assigned one handed back becomes new again. Work
    already under way keeps its status.
    """
    mention = _locked(session, mention_id)
    if assignee is not None and not may_work(assignee, mention.team):
        raise WebcareError(
            f"{assignee.name} cannot work the {mention.team} queue; give it to a member of "
            "that team or move it first"
        )
    previous = mention.assignee
    if (previous.id if previous else None) == (assignee.id if assignee else None):
        return mention
    now = utcnow()
    mention.assignee = assignee
    mention.assignee_id = assignee.id if assignee else None
    mention.assigned_at = now if assignee else None
    mention.updated_at = now
    status_from = mention.status
    if assignee is not None and mention.status == "new":
        mention.status = "assigned"
    elif assignee is None and mention.status == "assigned":
        mention.status = "new"
    _log(
        session, "mention.assigned", mention, by,
        **{"from": previous.name if previous else None,
           "to": assignee.name if assignee else None,
           "status_from": status_from, "status_to": mention.status},
    )  # fmt: skip
    return mention


def claim(session: Session, mention_id: int, user: User) -> Mention:
    """`user` takes the mention and starts on it: others see that they are working on it."""
    mention = assign(session, mention_id, user, user)
    if mention.status in ("new", "assigned"):
        change_status(session, mention_id, "in_progress", user)
    return mention


def move_to_team(session: Session, mention_id: int, team: str, by: User | None) -> Mention:
    """Hand the mention to another team's queue. Its assignee keeps it only if they work
    there too."""
    if team not in TEAMS:
        raise WebcareError(f"unknown team {team!r}; expected one of {', '.join(TEAMS)}")
    mention = _locked(session, mention_id)
    if mention.team == team:
        return mention
    previous = mention.team
    mention.team = team
    mention.updated_at = utcnow()
    _log(session, "mention.moved", mention, by, **{"from": previous, "to": team})
    if mention.assignee is not None and not may_work(mention.assignee, team):
        assign(session, mention_id, None, by)
    return mention
