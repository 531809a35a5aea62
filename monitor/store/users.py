"""Users, their teams, and API tokens (only their hashes are stored)."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from monitor.errors import WebcareError
from monitor.names import ROLES, TEAM_LABELS, TEAMS
from monitor.store.models import ApiToken, Team, User, utcnow

MIN_PASSWORD_LENGTH = 8
TOKEN_USE_RESOLUTION = timedelta(minutes=1)  # how fresh a token's last_used_at is kept
# Verified against when a name is unknown, so that a login takes as long either way.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def ensure_teams(session: Session) -> None:
    existing = set(session.scalars(select(Team.name)))
    for name in TEAMS:
        if name not in existing:
            session.add(Team(name=name, label=TEAM_LABELS[name]))
    session.flush()


def get_user(session: Session, name: str) -> User | None:
    return session.scalar(select(User).where(User.name == name))


def add_user(
    session: Session,
    name: str,
    *,
    role: str,
    teams: Sequence[str] = (),
    password: str | None = None,
    email: str | None = None,
) -> User:
    _check(role, teams, email)
    if not name or len(name) > 100 or any(c.isspace() for c in name):
        raise WebcareError("a user name is 1 to 100 characters without spaces")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise WebcareError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    if get_user(session, name) is not None:
        raise WebcareError(f"user {name!r} already exists")
    ensure_teams(session)
    team_rows = list(session.scalars(select(Team).where(Team.name.in_(list(teams)))))
    user = User(
        name=name,
        role=role,
        password_hash=generate_password_hash(password) if password else None,
        teams=team_rows,
        active=True,
        email=email,
    )
    session.add(user)
    session.flush()
    return user


def _check(role: str, teams: Sequence[str], email: str | None) -> None:
    if email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise WebcareError(f"{email!r} is not an e-mail address")
    if role not in ROLES:
        raise WebcareError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    unknown = [t for t in teams if t not in TEAMS]
    if unknown:
        raise WebcareError(f"unknown team {unknown[0]!r}; expected one of {', '.join(TEAMS)}")


def update_user(
    session: Session,
    user: User,
    *,
    role: str,
    teams: Sequence[str],
    email: str | None,
    active: bool,
) -> dict[str, Any]:
    """Change a user's role, teams, address and whether they may log in; returns what changed.
    The last active admin stays an active admin, so that somebody can still manage users."""
    _check(role, teams, email)
    if user.role == "admin" and user.active and (role != "admin" or not active):
        others = session.scalar(
            select(func.count()).where(
                User.role == "admin", User.active.is_(True), User.id != user.id
            )
        )
        if not others:
            raise WebcareError(f"{user.name} is the last active admin; make another admin first")
    before = {"role": user.role, "teams": sorted(t.name for t in user.teams),
              "email": user.email, "active": user.active}  # fmt: skip
    ensure_teams(session)
    user.role, user.email, user.active = role, email, active
    user.teams = list(session.scalars(select(Team).where(Team.name.in_(list(teams)))))
    after = {"role": role, "teams": sorted(teams), "email": email, "active": active}
    return {key: [before[key], after[key]] for key in after if before[key] != after[key]}


def set_password(session: Session, user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WebcareError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    user.password_hash = generate_password_hash(password)


def authenticate(session: Session, name: str, password: str) -> User | None:
    user = get_user(session, name)
    if user is None or not user.active or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User) -> str:
    """A new bearer token for the API; shown once, only its hash is kept."""
    token = "wct_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_token_hash(token)))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    now = utcnow()
    # To the minute is enough to tell a token in use from a forgotten one; writing it on every
    # call would make each API read a commit that waits for the disk.
    if row.last_used_at is None or now - row.last_used_at > TOKEN_USE_RESOLUTION:
        row.last_used_at = now
    return user
