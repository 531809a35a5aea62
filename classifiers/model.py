"""The classifier pipeline and the wrapper that turns its output into predictions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from classifiers import CATEGORIES
from classifiers.features import normalise


def build_pipeline(seed: int = 13) -> Pipeline:
    """Word and character n-grams with TF-IDF, and a multinomial logistic regression.

    Character n-grams carry Dutch compounds ("klantenservice", "persvraag") and typos; word
    n-grams carry phrases such as "request for comment". Logistic regression gives usable
    probabilities for the review threshold.
    """
    features = FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(
                    preprocessor=normalise,
                    ngram_range=(1, 2),
                    min_df=1,
                    sublinear_tf=True,
                    token_pattern=r"(?u)[\w@]+|[?!]+|[^\w\s]",
                ),
            ),
            (
                "chars",
                TfidfVectorizer(
                    preprocessor=normalise,
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    min_df=2,
                    sublinear_tf=True,
                    max_features=150_000,
                ),
            ),
        ]
    )
    classifier = LogisticRegression(C=8.0, max_iter=2000, class_weight="balanced", random_state=seed)
    return Pipeline([("features", features), ("classifier", classifier)])


@dataclass(frozen=True)
class Prediction:
    category: str
    confidence: float
    scores: dict[str, float]


class TriageModel:
    """A fitted pipeline with its version name; predicts categories with probabilities."""

    def __init__(self, pipeline: Pipeline, version: str) -> None:
        self.pipeline = pipeline
        self.version = version
        classes = [str(c) for c in pipeline.classes_]
        unknown = set(classes) - set(CATEGORIES)
        if unknown:
            raise ValueError(f"model {version} knows categories {sorted(unknown)} that are not ours")
        self.classes = classes

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        if not texts:
            return []
        probabilities: Any = self.pipeline.predict_proba(list(texts))
        best = np.argmax(probabilities, axis=1)
        predictions = []
        for row, index in zip(probabilities, best, strict=True):
            scores = {category: 0.0 for category in CATEGORIES}
            scores.update({c: round(float(p), 4) for c, p in zip(self.classes, row, strict=True)})
            predictions.append(Prediction(self.classes[index], round(float(row[index]), 4), scores))
        return predictions

    def predict_one(self, text: str) -> Prediction:
        return self.predict([text])[0]
