"""Train a model version on examples and measure it on a held-out split before anyone uses it."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sklearn.model_selection import train_test_split

from classifiers.corpus import Example, label_counts
from classifiers.evaluate import evaluate
from classifiers.model import TriageModel, build_pipeline


@dataclass(frozen=True)
class TrainingResult:
    model: TriageModel
    metrics: dict[str, Any]


def new_version_name(now: datetime | None = None) -> str:
    """A readable, sortable and unique name: the time it was trained plus a random tag."""
    return (now or datetime.now(UTC)).strftime("m%Y%m%d-%H%M%S-") + secrets.token_hex(2)


def train(
    examples: Sequence[Example],
    *,
    version: str | None = None,
    holdout: float = 0.2,
    seed: int = 13,
) -> TrainingResult:
    """Measure on a stratified held-out split, then fit the shipped model on everything."""
    if len({e.label for e in examples}) < 2:
        raise ValueError("training needs examples of at least two categories")
    texts = [e.text for e in examples]
    labels = [e.label for e in examples]
    metrics: dict[str, Any] = {"examples": len(examples), "labels": label_counts(examples)}
    if holdout > 0 and len(examples) >= 50:
        train_x, test_x, train_y, test_y, _, test_lang = train_test_split(
            texts,
            labels,
            [e.language or "?" for e in examples],
            test_size=holdout,
            random_state=seed,
            stratify=labels,
        )
        trial = build_pipeline(seed).fit(train_x, train_y)
        predicted = [str(p) for p in trial.predict(test_x)]
        metrics["holdout"] = evaluate(test_y, predicted)
        metrics["holdout_by_language"] = {
            lang: evaluate(
                [t for t, g in zip(test_y, test_lang, strict=True) if g == lang],
                [p for p, g in zip(predicted, test_lang, strict=True) if g == lang],
            )
            for lang in sorted(set(test_lang))
        }
    pipeline = build_pipeline(seed).fit(texts, labels)
    return TrainingResult(TriageModel(pipeline, version or new_version_name()), metrics)
