"""Train a candidate model on the corpus and people's labels, compare it with the live model on
recent human-confirmed mentions it never saw, per category and language, and promote it only
if it is not worse."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from classifiers import serialize
from classifiers.corpus import Example, seed_corpus
from classifiers.evaluate import evaluate
from classifiers.model import TriageModel
from classifiers.train import train
from monitor.classify import load_live_model
from monitor.store import model_versions
from monitor.store.db import Database
from monitor.store.events import record_event
from monitor.store.training import human_examples

HELD_OUT_SHARE = 0.2
MIN_HELD_OUT = 10


@dataclass(frozen=True)
class TrainingOutcome:
    version: str
    promoted: bool
    reason: str
    metrics: dict[str, Any]

    def summary(self) -> str:
        verdict = "now live" if self.promoted else "kept, not live"
        return f"model {self.version}: {verdict}: {self.reason}"


def _by_language(
    examples: Sequence[Example], predicted: Sequence[str]
) -> dict[str, dict[str, Any]]:
    languages = sorted({e.language or "?" for e in examples})
    return {
        language: evaluate(
            [e.label for e in examples if (e.language or "?") == language],
            [
                p
                for e, p in zip(examples, predicted, strict=True)
                if (e.language or "?") == language
            ],
        )
        for language in languages
    }


def _score(model: TriageModel, examples: Sequence[Example]) -> dict[str, Any]:
    predicted = [p.category for p in model.predict([e.text for e in examples])]
    report = evaluate([e.label for e in examples], predicted)
    report["by_language"] = _by_language(examples, predicted)
    return report


def train_and_decide(
    db: Database, *, extra: Sequence[Example] = (), force: bool = False, actor: str = "system"
) -> TrainingOutcome:
    with db.read() as session:
        human = [
            Example(e.text, e.label, e.language, origin="correction")
            for e in human_examples(session)
        ]
    held_out_size = int(len(human) * HELD_OUT_SHARE) if len(human) >= MIN_HELD_OUT * 5 else (
        MIN_HELD_OUT if len(human) >= MIN_HELD_OUT * 2 else 0)  # fmt: skip
    held_out = human[len(human) - held_out_size :] if held_out_size else []
    training = [*seed_corpus(), *human[: len(human) - held_out_size], *extra]
    result = train(training)
    candidate = result.model
    metrics = dict(result.metrics)
    metrics["human_examples"] = len(human)
    live = load_live_model(db)
    if held_out and live is not None:
        mine, theirs = _score(candidate, held_out), _score(live, held_out)
        metrics["human_held_out"] = {"n": len(held_out), "candidate": mine, "live": theirs}
        better = mine["macro_f1"] >= theirs["macro_f1"]
        reason = (
            f"macro-F1 {mine['macro_f1']:.3f} against the live model's {theirs['macro_f1']:.3f} "
            f"on the {len(held_out)} most recent human-labelled mentions"
        )
    else:
        new = metrics.get("holdout", {}).get("macro_f1", 0.0)
        old = live_holdout(db)
        better = old is None or new >= old
        reason = (
            f"held-out corpus macro-F1 {new:.3f}"
            + (f" against the live model's {old:.3f}" if old is not None else " (no live model)")
            + f"; only {len(human)} human-labelled mentions, too few to compare on"
        )
    promote = force or better
    if force and not better:
        reason += "; made live anyway (--force)"
    metrics["decision"] = {"promoted": promote, "reason": reason}
    with db.write() as session:
        row = model_versions.add_version(
            session,
            candidate.version,
            serialize.dumps(candidate.pipeline),
            metrics,
            make_live=promote,
            notes=f"{len(training)} examples, of which {len(human) - len(held_out)} from people",
        )
        data = {"version": row.version, "promoted": promote, "reason": reason}
        record_event(session, "model.trained", actor=actor, data=data)
    return TrainingOutcome(candidate.version, promote, reason, metrics)


def live_holdout(db: Database) -> float | None:
    with db.read() as session:
        live = model_versions.live_version(session)
        if live is None:
            return None
        value = (live.metrics.get("holdout") or {}).get("macro_f1")
        return float(value) if value is not None else None


def make_live(db: Database, version_id: int, actor: str) -> str:
    """Promote (or roll back to) a stored version; returns its name."""
    with db.write() as session:
        versions = {v.id: v.version for v in model_versions.list_versions(session)}
        if version_id not in versions:
            raise ValueError(f"model version {version_id} does not exist")
        model_versions.promote(session, version_id)
        record_event(session, "model.promoted", actor=actor,
                     data={"version": versions[version_id]})  # fmt: skip
    return versions[version_id]
