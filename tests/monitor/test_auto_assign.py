"""Auto-assignment shares a team's new mentions out, most urgent first, to whoever has the
fewest, never beyond the cap; and it runs once across workers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, select

from monitor.auto_assign import assign_team, auto_assign
from monitor.config import Settings
from monitor.periodic import jobs_for, run_due_jobs
from monitor.store.db import Database
from monitor.store.mentions import insert_new
from monitor.store.models import Mention, Source, User, utcnow
from monitor.store.users import add_user
from tests.monitor.store.test_mentions import _row


def _setup(db: Database, settings_for: Callable[..., Settings], **assignment: object) -> Settings:
    settings = settings_for([{"name": "s", "url": "https://example.org/feed"}],
                            assignment={"auto": True, **assignment})  # fmt: skip
    now = utcnow()
    with db.write() as session:
        source_id = int(session.scalar(select(Source.id)) or 0)
        rows = [
            _row(source_id, f"m{n}", priority=n * 10, collected_at=now - timedelta(minutes=n),
                 needs_review=False)
            for n in range(7)
        ]  # fmt: skip
        rows.append(_row(source_id, "unsure", priority=99, needs_review=True,
                         collected_at=now))  # fmt: skip
        insert_new(session, rows)
        password = "x" * 12
        add_user(session, "anne", role="agent", teams=["webcare"], password=password)
        add_user(session, "bram", role="agent", teams=["webcare"], password=password)
        add_user(session, "root", role="admin", teams=["webcare"], password=password)
        add_user(session, "vera", role="viewer", teams=["webcare"], password=password)
        add_user(session, "oud", role="agent", teams=["webcare"], password=password).active = False
    return settings


def _assignees(db: Database) -> dict[str, str | None]:
    with db.read() as session:
        rows = session.execute(
            select(Mention.dedup_key, User.name).outerjoin(User, User.id == Mention.assignee_id)
        )
        return {key: name for key, name in rows}


def test_mentions_are_shared_out_evenly_most_urgent_first_up_to_the_cap(
    db: Database, settings_for: Callable[..., Settings]
) -> None:
    settings = _setup(db, settings_for, cap=2)
    assert auto_assign(settings, db) == "4 to webcare"
    got = _assignees(db)
    # The four most urgent (m6, m5, m4, m3) go out, alternating; admins, viewers, people who
    # left and a label that still needs review are left out.
    assert {k for k, v in got.items() if v} == {"m6", "m5", "m4", "m3"}
    assert sorted(v for v in got.values() if v) == ["anne", "anne", "bram", "bram"]
    assert got["m6"] != got["m5"]
    assert auto_assign(settings, db) == "nothing to assign"  # everyone is at the cap
    with db.write() as session:  # Anne resolves one: she has room for one more
        mention = session.scalar(select(Mention).where(Mention.dedup_key == "m6"))
        assert mention is not None
        mention.status = "resolved"
        assert assign_team(session, "webcare", 2) == 1
    assert _assignees(db)["m2"] == got["m6"]
    with db.read() as session:
        statuses = set(session.scalars(select(Mention.status).where(
            Mention.assignee_id.is_not(None), Mention.dedup_key != "m6")))  # fmt: skip
    assert statuses == {"assigned"}


def test_the_job_runs_once_across_workers_and_only_when_asked_for(
    db: Database, settings_for: Callable[..., Settings]
) -> None:
    settings = _setup(db, settings_for, cap=1)
    jobs = jobs_for(settings, db)
    assert [j.name for j in jobs if j.name == "auto-assign"] == ["auto-assign"]
    first = run_due_jobs(db, jobs, "worker-1")
    second = run_due_jobs(db, jobs, "worker-2")
    assert "auto-assign: 2 to webcare" in first and not any("auto-assign" in s for s in second)
    with db.read() as session:
        assert session.scalar(select(func.count()).where(Mention.assignee_id.is_not(None))) == 2
    off = settings.model_copy(update={"assignment": settings.assignment.model_copy(
        update={"auto": False})})  # fmt: skip
    assert "auto-assign" not in [j.name for j in jobs_for(off, db)]


def test_someone_who_is_away_gets_nothing_new_and_keeps_what_they_hold(
    db: Database, settings_for: Callable[..., Settings]
) -> None:
    settings = _setup(db, settings_for, cap=2)
    with db.write() as session:
        anne = session.scalar(select(User).where(User.name == "anne"))
        assert anne is not None
        anne.away_since = utcnow()
    assert auto_assign(settings, db) == "2 to webcare"
    assert sorted(v for v in _assignees(db).values() if v) == ["bram", "bram"]
    with db.write() as session:
        anne = session.scalar(select(User).where(User.name == "anne"))
        assert anne is not None
        anne.away_since = None  # back
    assert auto_assign(settings, db) == "2 to webcare"
    assert sorted(v for v in _assignees(db).values() if v) == ["anne", "anne", "bram", "bram"]
