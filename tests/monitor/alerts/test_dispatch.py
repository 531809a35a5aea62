"""Alerts leave once, grouped as their rule says, and a failed delivery is retried, then kept
for a person: against a real HTTP receiver and a real SMTP server."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from monitor.alerts.alerter import Alerter
from monitor.alerts.channels import sign
from monitor.alerts.dispatch import Dispatcher
from monitor.config import Settings
from monitor.store import alerts as alert_store
from monitor.store.db import Database
from monitor.store.models import AlertDelivery, utcnow
from tests.conftest import Receiver, SmtpServer


def _raise(db: Database, settings: Settings, count: int = 1, *, prefix: str = "a") -> None:
    alerter = Alerter(settings, db)
    now = utcnow()
    alerts = []
    for n in range(count):
        alerts += alerter.for_event(
            "mention",
            {"category": "complaint", "brand": "Stroomlijn Energie", "priority": 60},
            key=f"{prefix}{n}",
            now=now,
            subject=f"Complaint about Stroomlijn Energie #{n}",
            body=f"Storing nummer {n}",
            link=f"http://webcare.test/mentions/{n}",
            data={"category": "complaint", "brand": "Stroomlijn Energie", "text": f"storing {n}"},
        )
    with db.write() as session:
        alert_store.raise_alerts(session, alerts, now)


def _deliveries(db: Database) -> list[AlertDelivery]:
    with db.read() as session:
        return list(session.scalars(select(AlertDelivery).order_by(AlertDelivery.id)).unique())


def _rule(target: str, **extra: object) -> dict[str, object]:
    return {"category": "complaint", "notify": [target], "group": "0", **extra}


def test_an_alert_reaches_an_apprise_json_endpoint_once(
    db: Database, settings_for: Callable[..., Settings], receiver: Receiver
) -> None:
    settings = settings_for(alerts=[_rule(f"json://{receiver.address}/hook")])
    _raise(db, settings)
    dispatcher = Dispatcher(settings, db, "w1")
    assert dispatcher.send_due() == 1
    assert dispatcher.send_due() == 0
    [call] = receiver.wait_for(1)
    assert call.path == "/hook"
    assert call.json()["title"] == "Complaint about Stroomlijn Energie #0"
    assert "Storing nummer 0" in call.json()["message"]
    [delivery] = _deliveries(db)
    assert (delivery.status, delivery.attempts, delivery.sent_at is not None) == ("sent", 1, True)


def test_a_signed_webhook_carries_a_signature_the_receiver_can_check(
    db: Database,
    settings_for: Callable[..., Settings],
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CRM_SECRET", "s3cret")
    settings = settings_for(
        webhooks=[
            {"name": "crm", "url": f"http://{receiver.address}/in", "secret_env": "CRM_SECRET"}
        ],
        alerts=[_rule("webhook:crm")],
    )
    _raise(db, settings)
    assert Dispatcher(settings, db, "w1").send_due() == 1
    [call] = receiver.wait_for(1)
    timestamp = call.headers["X-Webcare-Timestamp"]
    assert call.headers["X-Webcare-Signature"] == sign("s3cret", timestamp, call.body)
    assert call.headers["X-Webcare-Signature"] != sign("other", timestamp, call.body)
    payload = call.json()
    assert payload["event"] == "mention"
    assert payload["alerts"][0]["data"]["brand"] == "Stroomlijn Energie"
    assert call.headers["X-Webcare-Delivery"] == payload["id"]


def test_fifty_complaints_in_five_minutes_are_one_message(
    db: Database, settings_for: Callable[..., Settings], receiver: Receiver
) -> None:
    settings = settings_for(alerts=[_rule(f"json://{receiver.address}/hook", group="5m")])
    _raise(db, settings, 50)
    dispatcher = Dispatcher(settings, db, "w1")
    assert dispatcher.send_due() == 0  # the window is still open
    assert dispatcher.send_due(utcnow() + timedelta(minutes=5, seconds=1)) == 1
    [call] = receiver.wait_for(1)
    assert call.json()["title"] == "50 new complaints about Stroomlijn Energie"
    assert "… and 40 more" in call.json()["message"]
    assert {d.status for d in _deliveries(db)} == {"sent"}
    assert len({d.message_id for d in _deliveries(db)}) == 1


def test_a_receiver_answering_500_is_retried_later_and_then_takes_the_message(
    db: Database, settings_for: Callable[..., Settings], receiver: Receiver
) -> None:
    settings = settings_for(alerts=[_rule(f"json://{receiver.address}/hook")])
    receiver.answers = [500]
    _raise(db, settings)
    dispatcher = Dispatcher(settings, db, "w1")
    assert dispatcher.send_due() == 0
    [delivery] = _deliveries(db)
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "500" in (delivery.last_error or "")
    assert delivery.next_attempt_at > utcnow() + timedelta(seconds=20)  # backoff, with jitter
    assert dispatcher.send_due() == 0  # not yet due again
    assert dispatcher.send_due(utcnow() + timedelta(minutes=2)) == 1
    assert len(receiver.wait_for(1)) == 1
    assert _deliveries(db)[0].status == "sent"


def test_a_delivery_that_keeps_failing_is_kept_as_failed_until_a_person_retries_it(
    db: Database, settings_for: Callable[..., Settings], receiver: Receiver
) -> None:
    settings = settings_for(
        alerts=[_rule(f"json://{receiver.address}/hook")],
        alerting={"max_attempts": 2, "retry_backoff": "1s"},
    )
    receiver.answers = [503, 503]
    _raise(db, settings)
    dispatcher = Dispatcher(settings, db, "w1")
    dispatcher.send_due()
    dispatcher.send_due(utcnow() + timedelta(hours=1))
    assert [(d.status, d.attempts) for d in _deliveries(db)] == [("failed", 2)]
    assert dispatcher.send_due(utcnow() + timedelta(days=1)) == 0  # failed is not retried alone
    with db.write() as session:
        assert alert_store.failed_count(session) == 1
        assert alert_store.retry_failed(session) == 1
    assert dispatcher.send_due() == 1
    assert len(receiver.wait_for(1)) == 1


def test_an_unreachable_mail_server_is_retried_and_holds_up_no_other_target(
    db: Database, settings_for: Callable[..., Settings], receiver: Receiver
) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings = settings_for(
        mail={"host": "127.0.0.1", "port": closed_port, "security": "none"},
        alerts=[_rule("email:pr@example.org"), _rule(f"json://{receiver.address}/hook")],
    )
    _raise(db, settings)
    assert Dispatcher(settings, db, "w1").send_due() == 1
    assert len(receiver.wait_for(1)) == 1
    by_target = {d.target: d for d in _deliveries(db)}
    mail = by_target["email:pr@example.org"]
    assert (mail.status, mail.attempts) == ("pending", 1)
    assert mail.last_error


def test_people_are_mailed_through_the_configured_smtp_server(
    db: Database, settings_for: Callable[..., Settings], smtp_server: SmtpServer
) -> None:
    from monitor.store.users import add_user

    settings = settings_for(
        mail={
            "host": "127.0.0.1",
            "port": smtp_server.port,
            "security": "none",
            "sender": "webcare@stroomlijn.test",
        },
        alerts=[_rule("role:pr_officer")],
    )
    with db.write() as session:
        add_user(session, "petra", role="pr_officer", teams=(), password="x" * 12)
        add_user(session, "piet", role="pr_officer", teams=(), password="x" * 12)
        add_user(session, "anne", role="agent", teams=("webcare",), password="x" * 12)
        from monitor.store.models import User

        for user in session.scalars(select(User)):
            user.email = f"{user.name}@stroomlijn.test"
    _raise(db, settings)
    assert Dispatcher(settings, db, "w1").send_due() == 1
    mails = smtp_server.wait_for(2)
    # One mail per person: nobody sees who else was told.
    assert sorted(r for m in mails for r in m.recipients) == [
        "petra@stroomlijn.test",
        "piet@stroomlijn.test",
    ]
    mail = mails[0]
    assert mail.sender == "webcare@stroomlijn.test"
    assert mail.subject == "Complaint about Stroomlijn Energie #0"
    assert "Storing nummer 0" in mail.text()


def test_two_workers_sending_at_once_send_each_alert_once(
    db: Database, settings_for: Callable[..., Settings], receiver: Receiver
) -> None:
    settings = settings_for(alerts=[_rule(f"json://{receiver.address}/hook")])
    for n in range(5):
        _raise(db, settings, 4, prefix=f"batch{n}-")
    dispatchers = [Dispatcher(settings, db, f"w{n}") for n in range(2)]
    sent: list[int] = []
    threads = [threading.Thread(target=lambda d=d: sent.append(d.send_due())) for d in dispatchers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    delivered = receiver.wait_for(1)
    # One group (rule and target), claimed whole by whichever worker came first.
    assert sum(sent) == len(delivered) == 1
    assert "20 new complaints" in delivered[0].json()["title"]
    assert {d.status for d in _deliveries(db)} == {"sent"}
