"""API tokens: found by their hash, and their last use kept to the minute."""

from __future__ import annotations

from datetime import datetime, timedelta

from monitor.store.db import Database
from monitor.store.models import ApiToken
from monitor.store.users import TOKEN_USE_RESOLUTION, add_user, create_token, user_for_token


def _last_used(db: Database) -> datetime:
    with db.read() as session:
        used = session.query(ApiToken).one().last_used_at
    assert used is not None
    return used


def test_a_token_finds_its_active_user_and_nothing_else_does(db: Database) -> None:
    with db.write() as session:
        token = create_token(session, add_user(session, "anne", role="agent", password="x" * 12))
    with db.write() as session:
        found = user_for_token(session, token)
        assert found is not None and found.name == "anne"
        assert user_for_token(session, token + "x") is None
        found.active = False
    with db.write() as session:
        assert user_for_token(session, token) is None


def test_last_use_is_written_once_a_minute_not_on_every_call(db: Database) -> None:
    with db.write() as session:
        token = create_token(session, add_user(session, "anne", role="agent", password="x" * 12))
    with db.write() as session:
        user_for_token(session, token)
    first = _last_used(db)
    with db.write() as session:
        user_for_token(session, token)
        assert not session.dirty  # a read within the minute writes nothing
    assert _last_used(db) == first
    with db.write() as session:
        session.query(ApiToken).one().last_used_at = first - TOKEN_USE_RESOLUTION - timedelta(1)
    with db.write() as session:
        user_for_token(session, token)
    assert _last_used(db) >= first  # older than the minute: written again
