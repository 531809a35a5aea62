"""A stored mention raises one alert per rule that fits it, in the same transaction, once,
whichever worker stored it; blind spots raise one alert when they start and one when they end."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from monitor.alerts import watch
from monitor.alerts.alerter import Alerter
from monitor.classify import ModelProvider
from monitor.config import Settings
from monitor.pipeline import Ingestor
from monitor.sources.base import Item
from monitor.store.db import Database
from monitor.store.models import Alert, AlertDelivery, Mention, Source, utcnow

INQUIRY = (
    "Ik ben verslaggever bij Het Zuiderblad en zoek een reactie van Stroomlijn op de storing, "
    "graag voor 16.00 uur vandaag."
)
COMPLAINT = "Drie dagen geen stroom en Stroomlijn neemt niet op. Wat een zooi, echt waardeloos!"


def _ingest(db: Database, settings: Settings, *texts: str) -> None:
    with db.read() as session:
        source_id = int(session.scalar(select(Source.id)) or 0)
    ingestor = Ingestor(settings, db, ModelProvider(db), alerter=Alerter(settings, db))
    items = [Item(source_item_id=str(hash(t)), url=None, title="", text=t) for t in texts]
    ingestor.ingest(source_id=source_id, source_name="forum", items=items)


def _alerts(db: Database) -> list[Alert]:
    with db.read() as session:
        return list(session.scalars(select(Alert).order_by(Alert.id)))


def test_a_journalist_inquiry_raises_an_urgent_alert_for_each_fitting_rule(
    db: Database, settings_for: Callable[..., Settings]
) -> None:
    settings = settings_for(
        [{"name": "forum", "url": "https://forum.example/feed"}],
        alerts=[
            {"name": "press", "category": "journalist_inquiry", "notify": ["json://h/press"]},
            {"category": "complaint", "notify": ["json://h/complaints"]},
            {"source": "forum", "min_priority": 90, "notify": ["json://h/urgent"]},
            {"source": "forum", "team": "webcare", "notify": ["json://h/webcare"]},
        ],
        web={"public_url": "https://webcare.stroomlijn.test"},
    )
    _ingest(db, settings, INQUIRY)
    assert [(a.rule, a.urgent) for a in _alerts(db)] == [("press", True), ("alerts[2]", False)]
    alert = _alerts(db)[0]
    assert alert.event == "mention"
    assert alert.subject.startswith("Journalist inquiry about Stroomlijn Energie, deadline ")
    assert "16:00" in alert.subject
    assert "verslaggever bij Het Zuiderblad" in alert.body
    assert "Source: forum" in alert.body
    assert alert.link == f"https://webcare.stroomlijn.test/mentions/{alert.mention_id}"
    with db.read() as session:
        press, urgent = session.scalars(select(AlertDelivery).order_by(AlertDelivery.id))
    assert (press.target, urgent.target) == ("json://h/press", "json://h/urgent")
    assert press.next_attempt_at <= utcnow()  # at once: no grouping, no quiet hours
    assert urgent.next_attempt_at > utcnow()  # a mention rule without a category groups


def test_a_complaint_waits_for_its_grouping_window(
    db: Database, settings_for: Callable[..., Settings]
) -> None:
    settings = settings_for(
        [{"name": "forum", "url": "https://forum.example/feed"}],
        alerts=[{"category": "complaint", "notify": ["json://h/complaints"]}],
    )
    _ingest(db, settings, COMPLAINT)
    with db.read() as session:
        delivery = session.scalars(select(AlertDelivery)).one()
    assert delivery.next_attempt_at > utcnow() + timedelta(minutes=4)


def test_two_workers_storing_the_same_inquiry_raise_one_alert(
    db: Database, settings_for: Callable[..., Settings]
) -> None:
    settings = settings_for(
        [{"name": "forum", "url": "https://forum.example/feed"}],
        alerts=[{"category": "journalist_inquiry", "notify": ["json://h/press"]}],
    )
    threads = [threading.Thread(target=_ingest, args=(db, settings, INQUIRY)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(_alerts(db)) == 1
    with db.read() as session:
        assert session.scalar(select(func.count(AlertDelivery.id))) == 1


def test_a_dead_source_raises_one_alert_and_one_more_when_it_is_back(
    db: Database, settings_for: Callable[..., Settings]
) -> None:
    settings = settings_for(
        [{"name": "forum", "url": "https://forum.example/feed", "interval": "5m"}],
        alerts=[{"event": "blind_spot", "notify": ["json://h/ops"]}],
    )
    alerter = Alerter(settings, db)
    now = utcnow()
    with db.write() as session:
        session.execute(
            update(Source).values(
                last_success_at=now - timedelta(hours=2),
                failing_since=now - timedelta(hours=2),
                last_error="HTTP 503",
            )
        )
    assert watch.run_checks(alerter, db, now) == "1 alert(s) raised"
    assert watch.run_checks(alerter, db, now + timedelta(minutes=1)) == "nothing to raise"
    [down] = _alerts(db)
    assert (down.event, down.data["state"]) == ("blind_spot", "down")
    assert down.subject.startswith("forum is down since ")
    assert "HTTP 503" in down.body
    with db.write() as session:
        session.execute(update(Source).values(last_success_at=now, failing_since=None))
    assert watch.run_checks(alerter, db, now + timedelta(minutes=2)) == "1 alert(s) raised"
    assert watch.run_checks(alerter, db, now + timedelta(minutes=3)) == "nothing to raise"
    assert [a.data["state"] for a in _alerts(db)] == ["down", "recovered"]


OUTAGE = [
    "Storing bij Stroomlijn: al uren geen internet in Utrecht",
    "Weer een storing, geen internet en Stroomlijn zegt niets",
    "Hele wijk zonder internet door storing bij Stroomlijn",
    "Internet ligt eruit, storing nummer drie deze maand",
    "Stroomlijn storing, internet doet het niet meer",
]


def _store_mentions(db: Database, texts: list[str], at: datetime, category: str) -> None:
    with db.write() as session:
        source_id = int(session.scalar(select(Source.id)) or 0)
        for n, text in enumerate(texts):
            key = f"{category}-{at.isoformat()}-{n}"
            session.add(
                Mention(
                    dedup_key=key,
                    source_id=source_id,
                    brand="Stroomlijn Energie",
                    text=text,
                    published_at=at,
                    collected_at=at,
                    content_hash=key,
                    category=category,
                    confidence=0.9,
                    model_version="t",
                    team="webcare",
                    priority=50 + n,
                )
            )


def test_a_burst_of_complaints_raises_one_spike_alert_and_one_all_clear(
    db: Database, settings_for: Callable[..., Settings]
) -> None:
    settings = settings_for(
        [{"name": "forum", "url": "https://forum.example/feed"}],
        alerts=[{"event": "spike", "notify": ["json://h/crisis"]}],
        alerting={"spike": {"min_count": 10}},
    )
    alerter = Alerter(settings, db)
    now = utcnow()
    for day in range(1, 8):  # an ordinary week: two complaints in this hour each day
        _store_mentions(db, ["Factuur klopt niet", "Wachttijd te lang"],
                        now - timedelta(days=day, minutes=20), "complaint")  # fmt: skip
    _store_mentions(db, OUTAGE * 4, now - timedelta(minutes=10), "complaint")
    _store_mentions(db, ["Dank voor de snelle hulp"] * 30, now - timedelta(minutes=5), "praise")
    assert watch.run_checks(alerter, db, now) == "1 alert(s) raised"
    assert watch.run_checks(alerter, db, now + timedelta(minutes=1)) == "nothing to raise"
    [spike] = _alerts(db)
    assert spike.event == "spike"
    assert spike.subject == (
        "Spike in complaints about Stroomlijn Energie: 20 in 60 min (usually 1.2)"
    )
    assert {"storing", "internet"} <= set(spike.data["terms"])
    assert "stroomlijn" not in spike.data["terms"]
    assert len(spike.data["examples"]) == 3
    assert "/queue/customer_service?category=complaint" in (spike.link or "")
    # An hour later the burst is over.
    assert watch.run_checks(alerter, db, now + timedelta(minutes=75)) == "1 alert(s) raised"
    assert [a.data["state"] for a in _alerts(db)] == ["started", "ended"]
    assert _alerts(db)[1].subject.startswith("All clear: the spike in complaints")


def test_each_team_gets_one_digest_a_day_after_the_hour_it_asked_for(
    db: Database, settings_for: Callable[..., Settings]
) -> None:
    settings = settings_for(
        [{"name": "forum", "url": "https://forum.example/feed"}],
        alerts=[{"event": "digest", "team": "webcare", "notify": ["json://h/digest"]}],
        alerting={"digest": {"at": "08:00"}},
        locale={"timezone": "Europe/Amsterdam"},
    )
    alerter = Alerter(settings, db)
    morning = datetime(2026, 12, 4, 7, 0, tzinfo=UTC)  # 08:00 in Amsterdam
    _store_mentions(db, OUTAGE, morning - timedelta(hours=3), "complaint")
    _store_mentions(db, ["Hoe zeg ik op?", "Waar vind ik mijn factuur?"],
                    morning - timedelta(hours=2), "question")  # fmt: skip
    assert watch.run_checks(alerter, db, morning - timedelta(minutes=1)) == "nothing to raise"
    assert watch.run_checks(alerter, db, morning) == "1 alert(s) raised"
    assert watch.run_checks(alerter, db, morning + timedelta(hours=3)) == "nothing to raise"
    [digest] = _alerts(db)
    # Collected before opening time (08:30): no clock has run yet.
    assert digest.subject == "Webcare: 7 new, 7 open, 0 past their SLA (Fri 04 Dec)"
    assert "Complaint: 5" in digest.body and "Question: 2" in digest.body
    assert {"storing", "internet"} <= set(digest.data["themes"])
    assert watch.run_checks(alerter, db, morning + timedelta(days=1)) == "1 alert(s) raised"
    assert "7 open, 7 past their SLA" in _alerts(db)[-1].subject


def test_an_unanswered_complaint_warns_at_three_quarters_of_its_target_then_breaches(
    db: Database, settings_for: Callable[..., Settings]
) -> None:
    settings = settings_for(
        [{"name": "forum", "url": "https://forum.example/feed"}],
        alerts=[{"event": "sla", "team": "webcare", "notify": ["user:lead"]}],
        mail={"host": "127.0.0.1"},
        sla={"business_hours": "24/7", "targets": {"complaint": {"first_response": "1h"}}},
    )
    alerter = Alerter(settings, db)
    start = utcnow() - timedelta(minutes=1)
    _store_mentions(db, ["Al twee uur geen reactie van Stroomlijn"], start, "complaint")
    assert watch.run_checks(alerter, db, start + timedelta(minutes=30)) == "nothing to raise"
    assert watch.run_checks(alerter, db, start + timedelta(minutes=46)) == "1 alert(s) raised"
    assert watch.run_checks(alerter, db, start + timedelta(minutes=50)) == "nothing to raise"
    assert watch.run_checks(alerter, db, start + timedelta(minutes=61)) == "1 alert(s) raised"
    warning, breach = _alerts(db)
    assert warning.subject == "SLA about to breach: first response of a complaint about " \
        "Stroomlijn Energie"  # fmt: skip
    assert "14 min left" in warning.body
    assert breach.subject.startswith("SLA breached: first response")
    assert "1 min late" in breach.body


def test_a_first_response_stops_that_clock_and_the_resolution_clock_runs_on(
    db: Database, settings_for: Callable[..., Settings]
) -> None:
    from monitor.store.mentions import change_status
    from monitor.store.users import add_user

    settings = settings_for(
        [{"name": "forum", "url": "https://forum.example/feed"}],
        alerts=[{"event": "sla", "notify": ["json://h/lead"]}],
        sla={"business_hours": "24/7",
             "targets": {"complaint": {"first_response": "1h", "resolution": "4h"}}},
    )  # fmt: skip
    alerter = Alerter(settings, db)
    start = utcnow() - timedelta(minutes=1)
    _store_mentions(db, ["Mijn factuur is fout"], start, "complaint")
    with db.write() as session:
        anne = add_user(session, "anne", role="agent", teams=("webcare",), password="x" * 12)
        mention_id = int(session.scalar(select(Mention.id)) or 0)
        change_status(session, mention_id, "in_progress", anne)
    with db.read() as session:
        mention = session.get(Mention, mention_id)
        assert mention is not None and mention.first_response_at is not None
    assert watch.run_checks(alerter, db, start + timedelta(minutes=90)) == "nothing to raise"
    assert watch.run_checks(alerter, db, start + timedelta(hours=4, minutes=1)) == (
        "1 alert(s) raised"
    )
    [breach] = _alerts(db)
    assert breach.data["kind"] == "resolution" and breach.data["state"] == "breached"
    with db.write() as session:
        change_status(session, mention_id, "resolved", anne)
    later = start + timedelta(hours=9)
    assert watch.run_checks(alerter, db, later) == "nothing to raise"


def test_with_mail_set_up_pr_officers_hear_of_journalist_inquiries_without_a_rule(
    db: Database, settings_for: Callable[..., Settings]
) -> None:
    settings = settings_for(
        [{"name": "forum", "url": "https://forum.example/feed"}],
        mail={"host": "smtp.example.org"},
        alerts=[{"category": "journalist_inquiry", "notify": ["json://h/press"]}],
    )
    _ingest(db, settings, INQUIRY, COMPLAINT)
    assert [(a.rule, a.urgent) for a in _alerts(db)] == [
        ("alerts[0]", True),
        ("pr-officers", True),
    ]
    with db.read() as session:
        targets = sorted(d.target for d in session.scalars(select(AlertDelivery)))
    assert targets == ["json://h/press", "role:pr_officer"]
