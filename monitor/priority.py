"""Priority (0-100, higher is more urgent) from category, confidence, the source's reach, urgent
words and a journalist's deadline."""

from __future__ import annotations

import re
from datetime import datetime

from monitor.query import fold

_BASE = {"journalist_inquiry": 80, "complaint": 60, "question": 45, "praise": 20, "other": 10}
_REACH = {"low": -10, "normal": 0, "high": 10}
_URGENT = re.compile(
    r"\b(storing|storingen|datalek|gaslek|lekkage|afgesloten|fraude|oplichting|gevaarlijk|"
    r"noodgeval|spoed|dringend|outage|down|breach|leak|fraud|scam|dangerous|emergency|urgent|"
    r"hacked|gehackt)\b"
)


def priority(
    category: str,
    title: str,
    text: str,
    *,
    confidence: float = 1.0,
    reach: str = "normal",
    deadline_at: datetime | None = None,
    now: datetime | None = None,
) -> int:
    score = _BASE.get(category, 10) + _REACH.get(reach, 0)
    if category in ("complaint", "question", "journalist_inquiry") and _URGENT.search(
        fold(f"{title} {text}")
    ):
        score += 15
    if deadline_at is not None and now is not None:
        hours = (deadline_at - now).total_seconds() / 3600
        score += 15 if hours <= 2 else 8 if hours <= 8 else 3 if hours <= 24 else 0
    if confidence < 0.5:
        score -= 5  # an uncertain label should not jump the queue on its own
    return max(0, min(100, score))
