"""Why the classifier is what it is: alternatives measured on the seed corpus (5-fold
cross-validation, macro-F1) and on the real evaluation sets (binary F1 for the target classes),
plus their speed. `python -m bench model_choice`."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.naive_bayes import ComplementNB
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from bench import real_data
from classifiers.corpus import seed_corpus
from classifiers.features import CueFeatures
from classifiers.model import TriageModel, _tfidf, build_pipeline


def _words_chars() -> list[tuple[str, Any]]:
    return [
        ("words", _tfidf("word", (1, 2), token_pattern=r"(?u)[\w@]+|[?!]+|[^\w\s]")),
        ("chars", _tfidf("char_wb", (2, 5))),
    ]


def _logistic(cues: float) -> Pipeline:
    parts = _words_chars() + ([("cues", CueFeatures())] if cues else [])
    weights = {"words": 1.0, "chars": 1.0, "cues": cues} if cues else None
    return Pipeline([
        ("features", FeatureUnion(parts, transformer_weights=weights)),
        ("classifier", LogisticRegression(C=8.0, solver="newton-cg", max_iter=1000,
                                          class_weight="balanced", random_state=13)),
    ])  # fmt: skip


def _svm() -> Pipeline:
    svm = LinearSVC(C=0.5, class_weight="balanced", random_state=13)
    return Pipeline([
        ("features", FeatureUnion([*_words_chars(), ("cues", CueFeatures())])),
        ("classifier", CalibratedClassifierCV(svm, cv=3)),
    ])  # fmt: skip


def _naive_bayes() -> Pipeline:
    return Pipeline(
        [("features", FeatureUnion(_words_chars())), ("classifier", ComplementNB(alpha=0.3))]
    )


CANDIDATES: dict[str, Callable[[], Pipeline]] = {
    "chosen: build_pipeline()": build_pipeline,
    "logistic, words+chars": lambda: _logistic(0.0),
    "logistic, words+chars+cues x1": lambda: _logistic(1.0),
    "logistic, words+chars+cues x0.5": lambda: _logistic(0.5),
    "logistic, words+chars+cues x0.25": lambda: _logistic(0.25),
    "calibrated linear SVM, +cues": _svm,
    "complement naive Bayes": _naive_bayes,
}


def run() -> list[tuple[str, str]]:
    examples = seed_corpus()
    texts, labels = [e.text for e in examples], [e.label for e in examples]
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=13)
    rows = []
    for name, build in CANDIDATES.items():
        started = time.perf_counter()
        predicted = cross_val_predict(build(), texts, labels, cv=folds)
        cv = f1_score(labels, predicted, average="macro")
        fitted = build().fit(texts, labels)
        trained = time.perf_counter() - started
        model = TriageModel(fitted, name)
        started = time.perf_counter()
        model.predict(texts)
        speed = len(texts) / (time.perf_counter() - started)
        real = {label: value for label, value in real_data.score(model)}
        summary = ", ".join(f"{k} {v}" for k, v in real.items())
        rows.append(
            (name, f"CV macro-F1 {cv:.3f}; {speed:,.0f}/s; fit+CV {trained:.0f}s; {summary}")
        )
    return rows
