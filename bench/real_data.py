"""How the seed model does on real posts nobody here wrote (evaluation only; see
../shared/datasets/README.md). Prints binary F1 per target class; skipped without the data."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from sklearn.metrics import f1_score

from classifiers.corpus import seed_corpus
from classifiers.model import TriageModel
from classifiers.train import train

DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "text"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            {(k or "").strip().lower(): (v or "") for k, v in row.items()}
            for row in csv.DictReader(handle)
        ]


def _binary_f1(truth: list[bool], predicted: list[bool]) -> float:
    return float(f1_score(truth, predicted, zero_division=0))


def _evaluate(
    model: TriageModel,
    rows: list[dict[str, str]],
    text: str,
    is_class: Callable[[dict[str, str]], bool],
    category: str,
) -> float:
    texts = [r[text] for r in rows]
    predicted = [p.category == category for p in model.predict(texts)]
    return _binary_f1([is_class(r) for r in rows], predicted)


def run() -> list[tuple[str, str]]:
    if not DATASETS.exists():
        return [("real-data evaluation", f"skipped: {DATASETS} not found")]
    return score(train(seed_corpus(), holdout=0).model, long_names=True)


def score(model: TriageModel, *, long_names: bool = False) -> list[tuple[str, str]]:
    """Binary F1 per target class on the real sets; short names for comparison tables."""
    if not DATASETS.exists():
        return []
    airline = _rows(DATASETS / "airline-sentiment" / "Tweets.csv")
    acts = _rows(DATASETS / "tweet-acts" / "tweet_acts.csv")
    dutch = _rows(DATASETS / "dutch-political-tweets" / "gold-polarity.derived.csv")
    dutch = [r for r in dutch if r.get("content", "").strip()]
    question_rule = _binary_f1([r["act"] == "QUE" for r in acts], ["?" in r["text"] for r in acts])
    figures = {
        "airline tweets, complaint F1 (negative)": _evaluate(
            model, airline, "text", lambda r: r["airline_sentiment"] == "negative", "complaint"),
        "airline tweets, praise F1 (positive)": _evaluate(
            model, airline, "text", lambda r: r["airline_sentiment"] == "positive", "praise"),
        "tweet acts, question F1 (QUE)": _evaluate(
            model, acts, "text", lambda r: r["act"] == "QUE", "question"),
        "tweet acts, rule 'contains ?' F1": question_rule,
        "Dutch political tweets, complaint F1 (negative, weak proxy)": _evaluate(
            model, dutch, "content", lambda r: r["polarity"] == "negative", "complaint"),
        "Dutch political tweets, praise F1 (positive, weak proxy)": _evaluate(
            model, dutch, "content", lambda r: r["polarity"] == "positive", "praise"),
    }  # fmt: skip
    if long_names:
        return [(name, f"{value:.3f}") for name, value in figures.items()]
    short = ["airline complaint", "airline praise", "acts question", None, "nl complaint",
             "nl praise"]  # fmt: skip
    return [(s, f"{v:.2f}") for s, v in zip(short, figures.values(), strict=True) if s]
