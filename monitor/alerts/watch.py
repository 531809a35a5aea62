"""The periodic checks that raise alerts: blind spots, spikes, SLA clocks and the daily digest.
They run as one periodic job, once across all workers; alert keys make a repeat harmless."""

from __future__ import annotations

from datetime import datetime

from monitor.alerts.alerter import Alerter
from monitor.alerts.compose import base_url, local_time
from monitor.store import sources as source_store
from monitor.store.alerts import NewAlert, raise_alerts, sources_reported_down
from monitor.store.db import Database
from monitor.store.models import utcnow


def blind_spots(alerter: Alerter, db: Database, now: datetime) -> list[NewAlert]:
    """One alert when a source misses its freshness target, one when it is back."""
    settings = alerter.settings
    link = f"{base_url(settings)}/sources"
    alerts: list[NewAlert] = []
    with db.read() as session:
        spots = source_store.blind_spots(
            session, stale_after=settings.scheduler.stale_after, now=now
        )
        for spot in spots:
            subject = f"{spot.name} is down since {local_time(spot.since, settings.locale.zone)}"
            alerts += alerter.for_event(
                "blind_spot",
                {"source": spot.name},
                key=f"blind_spot:{spot.id}:{spot.since.isoformat()}",
                now=now,
                subject=subject,
                body=f"{subject}: you may be missing mentions.\nLast error: {spot.reason}\n{link}",
                link=link,
                data={
                    "source": spot.name,
                    "state": "down",
                    "since": spot.since.isoformat(),
                    "reason": spot.reason,
                },
                source_id=spot.id,
            )
        down = {spot.id for spot in spots}
        for source_id, name, key in sources_reported_down(session):
            if source_id in down:
                continue
            subject = f"{name} is collecting again"
            alerts += alerter.for_event(
                "blind_spot",
                {"source": name},
                key=f"{key}|recovered",
                now=now,
                subject=subject,
                body=f"{subject}; what it missed comes in with its next checks.\n{link}",
                link=link,
                data={"source": name, "state": "recovered"},
                source_id=source_id,
            )
    return alerts


def run_checks(alerter: Alerter, db: Database, now: datetime | None = None) -> str:
    now = now or utcnow()
    alerts = blind_spots(alerter, db, now)
    new = 0
    if alerts:
        with db.write() as session:
            new = len(raise_alerts(session, alerts, now))
    if not new:
        return "nothing to raise"
    alerter.raised()
    return f"{new} alert(s) raised"
