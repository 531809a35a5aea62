"""Which words pushed a decision: each word is left out in turn, and the change in the chosen
category's probability is that word's weight. Model-agnostic, so it works with hashed features."""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifiers.model import TriageModel

_TOKEN = re.compile(r"\S+")
MAX_WORDS = 80


@dataclass(frozen=True)
class WordWeight:
    word: str
    weight: float  # > 0: made the category more likely; < 0: less likely


def explain(
    model: TriageModel, text: str, category: str | None = None, top: int = 8
) -> list[WordWeight]:
    tokens = [m for m in _TOKEN.finditer(text)][:MAX_WORDS]
    if not tokens:
        return []
    base = model.predict_one(text)
    chosen = category or base.category
    variants = [text[: t.start()] + text[t.end() :] for t in tokens]
    weights: dict[str, float] = {}
    for token, prediction in zip(tokens, model.predict(variants), strict=True):
        word = token.group().strip(".,!?;:\"'()[]")
        if not word:
            continue
        weight = base.scores[chosen] - prediction.scores[chosen]
        weights[word] = weights.get(word, 0.0) + weight
    ranked = sorted(weights.items(), key=lambda kv: -abs(kv[1]))
    return [
        WordWeight(word, round(weight, 4)) for word, weight in ranked[:top] if abs(weight) >= 0.005
    ]
