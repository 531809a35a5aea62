"""Assembles the parts a command needs (database, model, collector, web app) from Settings."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from monitor.alerts import watch
from monitor.alerts.alerter import Alerter
from monitor.alerts.channels import check_targets
from monitor.alerts.dispatch import Dispatcher
from monitor.classify import ModelProvider, ensure_live_model
from monitor.config import Settings
from monitor.pipeline import Ingestor
from monitor.scheduler import Collector, Worker
from monitor.store import alerts as alert_store
from monitor.store import migrate
from monitor.store.db import Database
from monitor.store.models import User
from monitor.store.sources import sync_sources
from monitor.store.users import add_user, ensure_teams, get_user

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)
ADMIN_PASSWORD_FILE = "initial-admin-password.txt"  # noqa: S105 - a file name


@dataclass
class Runtime:
    settings: Settings
    db: Database = field(init=False)

    def __post_init__(self) -> None:
        self.db = Database(self.settings.database.url)

    def init_schema(self) -> dict[str, int]:
        """Create or upgrade the schema, the teams and the sources; train the first model."""
        migrate.upgrade(self.db)
        with self.db.write() as session:
            ensure_teams(session)
            counts = sync_sources(session, self.settings)
        ensure_live_model(self.db)
        return counts

    def ready(self) -> None:
        """Check that the database answers and has the schema this code expects, and that every
        alert target can work."""
        check_targets(self.settings)
        self.db.check_connection()
        migrate.require_current(self.db)
        with self.db.write() as session:
            sync_sources(session, self.settings)

    def collector(self) -> Collector:
        alerter = Alerter(self.settings, self.db)
        ingestor = Ingestor(self.settings, self.db, ModelProvider(self.db), alerter=alerter)
        return Collector(self.settings, self.db, ingestor)

    def worker(self) -> Worker:
        return Worker(self.collector())

    def send_alerts(self, owner: str, wait: float = 10.0) -> str:
        """Raise the periodic alerts, send what is due now or within `wait` seconds, and say
        what is left (nothing when there were no alerts)."""
        # A one-shot run (from cron, say) looks for spikes and blind spots as a worker would.
        watch.run_checks(Alerter(self.settings, self.db), self.db)
        dispatcher = Dispatcher(self.settings, self.db, owner)
        try:
            sent = dispatcher.drain(timeout=wait)
        finally:
            dispatcher.stop()
        with self.db.read() as session:
            waiting = alert_store.pending_count(session)
            failed = alert_store.failed_count(session)
        if not (sent or waiting or failed):
            return ""
        line = f"alerts: {sent} message(s) sent"
        if waiting:
            line += f", {waiting} waiting (grouping window, quiet hours or retry)"
        if failed:
            line += f", {failed} failed (see the Alerts page)"
        return line

    def web_app(self) -> Flask:
        from webui import create_app  # only the commands that serve pages need Flask

        return create_app(self.settings, self.db)

    @property
    def admin_password_file(self) -> Path:
        return self.settings.instance_dir / ADMIN_PASSWORD_FILE

    def ensure_demo_admin(self) -> str | None:
        """With the demo on and no users yet, create an admin; returns its new password."""
        if not self.settings.demo.enabled:
            return None
        with self.db.write() as session:
            if session.scalar(select(func.count()).select_from(User)):
                return None
            password = secrets.token_urlsafe(12)
            add_user(
                session,
                self.settings.demo.admin_user,
                role="admin",
                teams=("webcare", "customer_service", "spokesperson"),
                password=password,
            )
        path = self.admin_password_file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(password + "\n")
        path.chmod(0o600)
        return password

    def login_hint(self) -> str:
        name = self.settings.demo.admin_user
        with self.db.read() as session:
            has_admin = get_user(session, name) is not None
            any_user = bool(session.scalar(select(func.count()).select_from(User)))
        if self.settings.demo.enabled and has_admin and self.admin_password_file.exists():
            password = self.admin_password_file.read_text().strip()
            return (
                f"log in as {name!r} with password {password!r} "
                f"(kept in {self.admin_password_file})"
            )
        if not any_user:
            return "no users yet: create one with `webcare user add NAME --role admin`"
        return "log in with your webcare account"
