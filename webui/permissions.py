"""Who may see and do what: the contract's roles, checked in one place."""

from __future__ import annotations

from dataclasses import dataclass

from flask_login import UserMixin

from monitor.names import WORK_ROLES
from monitor.store.models import User

QUEUE_ROLES = frozenset({"admin", "agent", "pr_officer", "viewer"})


@dataclass(frozen=True)
class SessionUser(UserMixin):
    """The logged-in user as the views need it, detached from any database session."""

    id: int
    name: str
    role: str
    teams: frozenset[str]
    timezone: str | None = None
    language: str | None = None
    away: bool = False

    @classmethod
    def from_row(cls, user: User) -> SessionUser:
        teams = frozenset(t.name for t in user.teams)
        return cls(user.id, user.name, user.role, teams, user.timezone, user.language,
                   user.away_since is not None)  # fmt: skip

    def get_id(self) -> str:
        return str(self.id)

    @property
    def can_view_queues(self) -> bool:
        return self.role in QUEUE_ROLES

    def can_work(self, team: str) -> bool:
        """Change a mention's state: admins anywhere, agents and PR officers in their teams."""
        return self.role == "admin" or (self.role in WORK_ROLES and team in self.teams)
