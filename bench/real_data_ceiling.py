"""How far the classifier's kind of model can go on the real sets, to read the targets by.

Two measurements, both for evaluation only (no model made here is kept or shipped):
- the learning curve: the seed model trained on a quarter, a half, three quarters and all of
  our own corpus, scored on the real sets. A curve that is flat says that more posts of the
  same kind will not reach the targets;
- the ceiling: the same pipeline trained on each real set itself, in 5-fold cross-validation,
  with the set's own labels (airline: negative/neutral/positive; tweet acts: the seven acts).
  A model that never sees those tweets cannot be expected to do better than one that learnt
  from 11,700 of them.

`python -m bench real_data_ceiling`; skipped without ../shared/datasets/.
"""

from __future__ import annotations

import random

from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from bench.real_data import DATASETS, _rows, score
from classifiers.corpus import seed_corpus
from classifiers.model import build_pipeline
from classifiers.train import train


def _learning_curve() -> list[tuple[str, str]]:
    examples = seed_corpus()
    rows = []
    for share in (0.25, 0.5, 0.75, 1.0):
        sample = random.Random(1).sample(examples, int(len(examples) * share))
        figures = score(train(sample, holdout=0).model)
        shown = ", ".join(f"{name} {value}" for name, value in figures[:3])
        rows.append((f"trained on {len(sample):,} of our posts", shown))
    return rows


def _in_domain(texts: list[str], labels: list[str], target: str) -> float:
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=1)
    predicted = cross_val_predict(build_pipeline(), texts, labels, cv=folds)
    return float(f1_score([y == target for y in labels], [p == target for p in predicted]))


def _ceiling() -> list[tuple[str, str]]:
    airline = _rows(DATASETS / "airline-sentiment" / "Tweets.csv")
    acts = _rows(DATASETS / "tweet-acts" / "tweet_acts.csv")
    texts, labels = [r["text"] for r in airline], [r["airline_sentiment"] for r in airline]
    acts_texts, acts_labels = [r["text"] for r in acts], [r["act"] for r in acts]
    figures = {
        "trained on the airline tweets: negative F1": _in_domain(texts, labels, "negative"),
        "trained on the airline tweets: positive F1": _in_domain(texts, labels, "positive"),
        "trained on the tweet acts: question F1": _in_domain(acts_texts, acts_labels, "QUE"),
    }
    return [(name, f"{value:.2f}") for name, value in figures.items()]


def run() -> list[tuple[str, str]]:
    if not DATASETS.exists():
        return [("real-data ceiling", f"skipped: {DATASETS} not found")]
    return _learning_curve() + _ceiling()
