"""Periodic jobs: each has a due time and a lease, so that it runs once across all workers."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from monitor.store.bulk import insert_ignoring_conflicts
from monitor.store.models import Job


def claim_job(
    session: Session, name: str, *, owner: str, lease_seconds: float, now: datetime
) -> bool:
    """Take the job if it is due and nobody holds it; run inside a write session."""
    insert_ignoring_conflicts(session, Job, [{"name": name, "next_run_at": now}], conflict=["name"])
    job = session.get(Job, name, with_for_update={"skip_locked": True}, populate_existing=True)
    if job is None:  # another worker holds the row lock right now
        return False
    if job.next_run_at > now or (job.lease_expires_at is not None and job.lease_expires_at > now):
        return False
    job.lease_owner = owner
    job.lease_expires_at = now + timedelta(seconds=lease_seconds)
    return True


def finish_job(
    session: Session, name: str, *, owner: str, now: datetime, next_run_at: datetime, result: str
) -> None:
    session.execute(
        update(Job)
        .where(Job.name == name, Job.lease_owner == owner)
        .values(
            lease_owner=None,
            lease_expires_at=None,
            last_run_at=now,
            next_run_at=next_run_at,
            last_result=result[:2000],
        )
    )
