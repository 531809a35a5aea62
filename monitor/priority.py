"""A first priority score (0-100, higher is more urgent) from category and urgent words."""

from __future__ import annotations

import re

from monitor.query import fold

_BASE = {"journalist_inquiry": 80, "complaint": 60, "question": 45, "praise": 20, "other": 10}
_URGENT = re.compile(
    r"\b(storing|storingen|datalek|gaslek|lekkage|afgesloten|fraude|oplichting|gevaarlijk|"
    r"noodgeval|spoed|dringend|outage|down|breach|leak|fraud|scam|dangerous|emergency|urgent|"
    r"hacked|gehackt)\b"
)


def priority(category: str, title: str, text: str) -> int:
    score = _BASE.get(category, 10)
    if category in ("complaint", "question", "journalist_inquiry") and _URGENT.search(
        fold(f"{title} {text}")
    ):
        score += 15
    return max(0, min(100, score))
