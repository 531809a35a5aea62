"""Learning from corrections: a candidate is compared with the live model on recent human labels
it never saw, promoted only if not worse, and every version can be made live again."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from monitor.periodic import PeriodicJob, retrain, run_due_jobs
from monitor.store import model_versions
from monitor.store.db import Database
from monitor.store.jobs import claim_job
from monitor.store.models import Event, utcnow
from monitor.store.training import add_example, human_examples
from monitor.training import make_live, train_and_decide

LABELLED = [
    ("Mijn factuur klopt alweer niet en niemand belt terug", "complaint"),
    ("Hoe kan ik mijn verhuizing doorgeven?", "question"),
    ("Redactie Oostpost: graag een reactie op de storing voor 15.00 uur", "journalist_inquiry"),
    ("Super geholpen door de monteur, dank!", "praise"),
    ("Morgen opent de nieuwe winkel in Zwolle", "other"),
]


def _label(db: Database, copies: int) -> None:
    with db.write() as session:
        for n in range(copies):
            for text, label in LABELLED:
                add_example(session, mention_id=None, text=f"{text} ({n})", label=label,
                            previous_label=None, language="nl", user_id=None)  # fmt: skip


def test_with_few_labels_the_corpus_hold_out_decides(db: Database) -> None:
    _label(db, 1)
    outcome = train_and_decide(db)
    assert "too few to compare on" in outcome.reason
    assert outcome.metrics["human_examples"] == 5
    with db.read() as session:
        assert len(model_versions.list_versions(session)) == 2


def test_a_candidate_is_compared_on_recent_human_labels_per_language(db: Database) -> None:
    _label(db, 5)  # 25 labels: the newest 10 are held out
    outcome = train_and_decide(db)
    compared = outcome.metrics["human_held_out"]
    assert compared["n"] == 10
    assert set(compared["candidate"]["by_language"]) == {"nl"}
    assert "most recent human-labelled mentions" in outcome.reason
    assert outcome.promoted == (compared["candidate"]["macro_f1"] >= compared["live"]["macro_f1"])
    with db.read() as session:
        event = session.scalar(select(Event).where(Event.kind == "model.trained"))
        assert event is not None and event.data["version"] == outcome.version


def test_every_version_can_be_made_live_again(db: Database) -> None:
    with db.read() as session:
        first = model_versions.live_version(session)
    assert first is not None
    outcome = train_and_decide(db, force=True)
    with db.read() as session:
        assert model_versions.live_version_name(session) == outcome.version
    assert make_live(db, first.id, actor="admin") == first.version
    with db.read() as session:
        assert model_versions.live_version_name(session) == first.version
        assert session.scalar(select(Event.actor).where(Event.kind == "model.promoted")) == "admin"


def test_the_latest_label_of_a_mention_is_the_one_that_counts(db: Database) -> None:
    with db.write() as session:
        add_example(session, mention_id=None, text="x", label="other", previous_label=None,
                    language=None, user_id=None)  # fmt: skip
    assert [e.label for e in _examples(db)] == ["other"]


def _examples(db: Database) -> list[object]:
    with db.read() as session:
        return list(human_examples(session))


def test_scheduled_retraining_skips_when_nobody_labelled_anything(db: Database) -> None:
    assert retrain(db) == "skipped: no new human labels since the live model"


def test_a_periodic_job_runs_once_across_workers(db: Database) -> None:
    runs: list[str] = []
    job = PeriodicJob("count", 3600, lambda: runs.append("ran") or "ok")
    assert run_due_jobs(db, [job], "worker-1") == ["count: ok"]
    assert run_due_jobs(db, [job], "worker-2") == []  # not due again for an hour
    assert runs == ["ran"]
    later = utcnow() + timedelta(hours=2)
    with db.write() as session:
        assert claim_job(session, "count", owner="worker-2", lease_seconds=60, now=later)
    with db.write() as session:
        assert not claim_job(session, "count", owner="worker-3", lease_seconds=60, now=later)
