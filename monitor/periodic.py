"""The periodic jobs every worker offers to run; the jobs table makes sure one of them does."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from monitor import websub
from monitor.alerts import watch
from monitor.alerts.alerter import Alerter
from monitor.auto_assign import auto_assign
from monitor.config import Settings
from monitor.forwarding import tell_forwarders
from monitor.store import model_versions
from monitor.store.db import Database
from monitor.store.jobs import claim_job, finish_job
from monitor.store.models import TrainingExample, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: float
    run: Callable[[], str]


def retrain(db: Database) -> str:
    """Train a candidate when people labelled mentions since the live model was made."""
    from monitor.training import train_and_decide

    with db.read() as session:
        live = model_versions.live_version(session)
        since = live.created_at if live else None
        query = select(func.count()).select_from(TrainingExample)
        if since is not None:
            query = query.where(TrainingExample.created_at > since)
        new_labels = int(session.scalar(query) or 0)
    if live is not None and new_labels == 0:
        return "skipped: no new human labels since the live model"
    return train_and_decide(db, actor="scheduled training").summary()


def jobs_for(settings: Settings, db: Database, alerter: Alerter | None = None) -> list[PeriodicJob]:
    jobs = []
    if alerter is not None:
        jobs.append(PeriodicJob("alerts", 60.0, lambda: watch.run_checks(alerter, db)))
    if settings.classifier.retrain_every:
        jobs.append(PeriodicJob("retrain", settings.classifier.retrain_every, lambda: retrain(db)))
    if settings.assignment.auto:
        jobs.append(PeriodicJob("auto-assign", 60.0, lambda: auto_assign(settings, db)))
    jobs.append(PeriodicJob("forward-notices", 60.0, lambda: tell_forwarders(settings, db)))
    if any(source.websub for source in settings.sources):
        jobs.append(PeriodicJob("websub", 60.0, lambda: websub.send_due(settings, db)))
    return jobs


def run_due_jobs(db: Database, jobs: list[PeriodicJob], owner: str) -> list[str]:
    """Run the jobs that are due and not taken by another worker; returns what each said."""
    said = []
    for job in jobs:
        now = utcnow()
        with db.write() as session:
            if not claim_job(session, job.name, owner=owner, lease_seconds=3600, now=now):
                continue
        try:
            result = job.run()
        except Exception as exc:
            log.exception("periodic job %s failed", job.name)
            result = f"failed: {type(exc).__name__}: {exc}"
        log.info("periodic job %s: %s", job.name, result)
        with db.write() as session:
            finish_job(session, job.name, owner=owner, now=utcnow(),
                       next_run_at=now + timedelta(seconds=job.every), result=result)  # fmt: skip
        said.append(f"{job.name}: {result}")
    return said
