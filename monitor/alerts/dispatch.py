"""Sends what is due: claims each rule-and-target group, sends it as one message, records the
outcome. Runs in a thread of every worker; the database keeps two workers from sending twice."""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import datetime, timedelta

from monitor.alerts.channels import Channels, DeliveryError, Message
from monitor.alerts.compose import combined
from monitor.config import Settings
from monitor.store import alerts as alert_store
from monitor.store.db import Database
from monitor.store.models import AlertDelivery, utcnow

log = logging.getLogger(__name__)
IDLE_WAIT = 5.0


def _message(deliveries: list[AlertDelivery], settings: Settings) -> Message:
    alerts = [
        {"id": d.alert.id, "event": d.alert.event, "subject": d.alert.subject,
         "body": d.alert.body, "link": d.alert.link, "data": d.alert.data,
         "created_at": d.alert.created_at.isoformat()}
        for d in deliveries
    ]  # fmt: skip
    subject, body = combined(alerts, settings)
    events = {d.alert.event for d in deliveries}
    return Message(
        id=uuid.uuid4().hex,
        event=events.pop() if len(events) == 1 else "mixed",
        subject=subject,
        body=body,
        urgent=any(d.alert.urgent for d in deliveries),
        alerts=alerts,
    )


class Dispatcher:
    def __init__(self, settings: Settings, db: Database, owner: str) -> None:
        self.settings = settings
        self.db = db
        self.owner = owner
        self.channels = Channels(settings, db)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def send_due(self, now: datetime | None = None) -> int:
        """Send every group with a delivery due; returns the number of messages that went out."""
        now = now or utcnow()
        with self.db.read() as session:
            groups = alert_store.due_groups(session, now)
        sent = 0
        for rule, target in groups:
            with self.db.write() as session:
                claimed = alert_store.claim_group(session, rule, target, owner=self.owner, now=now)
                if not claimed:
                    continue  # another worker has it
                message = _message(claimed, self.settings)
                ids = [d.id for d in claimed]
            sent += self._send(target, message, ids)
        return sent

    def _send(self, target: str, message: Message, ids: list[int]) -> int:
        alerting = self.settings.alerting
        try:
            self.channels.send(target, message)
        except DeliveryError as exc:
            log.warning("alert %r to %s failed: %s", message.subject, target.split("?")[0], exc)
            with self.db.write() as session:
                alert_store.record_failure(
                    session, ids, owner=self.owner, error=str(exc), now=utcnow(),
                    max_attempts=alerting.max_attempts, backoff=alerting.retry_backoff,
                    permanent=exc.permanent,
                )  # fmt: skip
            return 0
        except Exception as exc:  # a bug or a plugin's surprise must not stop the other groups
            log.exception("alert to %s failed unexpectedly", target.split("?")[0])
            with self.db.write() as session:
                alert_store.record_failure(
                    session, ids, owner=self.owner, error=f"{type(exc).__name__}: {exc}",
                    now=utcnow(), max_attempts=alerting.max_attempts,
                    backoff=alerting.retry_backoff,
                )  # fmt: skip
            return 0
        with self.db.write() as session:
            alert_store.record_sent(
                session, ids, owner=self.owner, message_id=message.id, now=utcnow()
            )
        log.info("alert sent: %s (%d item(s))", message.subject, len(ids))
        return 1

    # --- the background thread -------------------------------------------------------------

    def poke(self) -> None:
        """Something was raised: look now rather than at the next idle wake-up."""
        self._wake.set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="alerts", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.channels.close()

    def _wait(self) -> float:
        with self.db.read() as session:
            due = alert_store.next_due(session)
        if due is None:
            return IDLE_WAIT
        return min(IDLE_WAIT, max((due - utcnow()).total_seconds(), 0.05))

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.send_due()
                wait = self._wait()
            except Exception:
                log.exception("sending alerts failed; trying again shortly")
                wait = IDLE_WAIT
            self._wake.wait(timeout=wait)
            self._wake.clear()

    def drain(self, timeout: float = 30.0) -> int:
        """Send what is due now and what falls due within `timeout` seconds (for one-shot runs).
        Grouped alerts due later stay in the database for the next worker."""
        deadline = utcnow() + timedelta(seconds=timeout)
        sent = self.send_due()
        while True:
            with self.db.read() as session:
                due = alert_store.next_due(session)
            if due is None or due > deadline:
                return sent
            self._stop.wait(max((due - utcnow()).total_seconds(), 0.05))
            sent += self.send_due()
