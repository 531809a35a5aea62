"""Which words pushed a decision: each word is left out in turn, and the change in the log-odds
of the chosen category is that word's weight. Log-odds, not probability, because a confident
model's probability barely moves while its odds still do. Model-agnostic, so it works with
hashed features."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from classifiers.model import TriageModel

_TOKEN = re.compile(r"\S+")
MAX_WORDS = 80


@dataclass(frozen=True)
class WordWeight:
    word: str
    weight: float  # log-odds the word adds: > 0 made the category more likely, < 0 less


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
        weight = _logit(base.scores[chosen]) - _logit(prediction.scores[chosen])
        weights[word] = weights.get(word, 0.0) + weight
    ranked = sorted(weights.items(), key=lambda kv: -abs(kv[1]))
    return [
        WordWeight(word, round(weight, 3)) for word, weight in ranked[:top] if abs(weight) >= 0.05
    ]


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))
