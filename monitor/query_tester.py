"""Try a draft brand query on what was already collected, before it goes live: hits per source
among stored mentions and among recent unmatched items, and a precision estimate from people's
right/wrong marks."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from monitor.matching import document_of
from monitor.query import Hit, Query
from monitor.store.models import Mention, Source, UnmatchedItem

RECENT_MENTIONS = 20_000
RECENT_UNMATCHED = 5_000


@dataclass(frozen=True)
class TestHit:
    kind: str  # "mention" (already stored) or "unmatched" (collected, matched no brand)
    id: int
    source: str
    title: str
    text: str
    url: str | None
    hits: list[Hit]

    @property
    def ref(self) -> str:
        return f"{self.kind[0]}{self.id}"


@dataclass
class SourceCounts:
    mentions: int = 0
    mention_hits: int = 0
    unmatched: int = 0
    unmatched_hits: int = 0


@dataclass
class TestResult:
    query: str
    hits: list[TestHit] = field(default_factory=list)
    per_source: dict[str, SourceCounts] = field(default_factory=dict)
    mentions_searched: int = 0
    unmatched_searched: int = 0
    brand_mentions_missed: int = 0  # stored mentions of the brand the draft would not match

    @property
    def new_hits(self) -> int:
        return sum(1 for h in self.hits if h.kind == "unmatched")


def run_test(
    session: Session,
    query_text: str,
    *,
    brand: str | None = None,
    mentions: int = RECENT_MENTIONS,
    unmatched: int = RECENT_UNMATCHED,
) -> TestResult:
    """Match the draft query over the most recent stored mentions and unmatched items."""
    query = Query.compile(query_text)  # raises QueryError with the column
    result = TestResult(query_text)
    rows = session.scalars(
        select(Mention)
        .options(joinedload(Mention.source))
        .order_by(Mention.id.desc())
        .limit(mentions)
    )
    for mention in rows:
        result.mentions_searched += 1
        counts = result.per_source.setdefault(mention.source.name, SourceCounts())
        counts.mentions += 1
        found = query.match(
            document_of(mention.title, mention.text, mention.author, mention.url, mention.language)
        )
        if found is None:
            if brand is not None and mention.brand == brand:
                result.brand_mentions_missed += 1
            continue
        counts.mention_hits += 1
        result.hits.append(TestHit("mention", mention.id, mention.source.name, mention.title,
                                   mention.text, mention.url, found))  # fmt: skip
    names = {id_: name for id_, name in session.execute(select(Source.id, Source.name))}
    for item in session.scalars(
        select(UnmatchedItem).order_by(UnmatchedItem.id.desc()).limit(unmatched)
    ):
        result.unmatched_searched += 1
        source = names.get(item.source_id, "?")
        counts = result.per_source.setdefault(source, SourceCounts())
        counts.unmatched += 1
        found = query.match(document_of(item.title, item.text, item.author, item.url, None))
        if found is not None:
            counts.unmatched_hits += 1
            result.hits.append(TestHit("unmatched", item.id, source, item.title, item.text,
                                       item.url, found))  # fmt: skip
    return result


@dataclass(frozen=True)
class Precision:
    right: int
    wrong: int
    estimate: float
    low: float
    high: float

    def describe(self) -> str:
        judged = self.right + self.wrong
        if not judged:
            return "no hits judged yet"
        return (
            f"precision {self.estimate:.0%} ({self.right} of {judged} judged hits right; "
            f"95% interval {self.low:.0%}-{self.high:.0%})"
        )


def precision(right: int, wrong: int) -> Precision:
    """Share of right hits with a Wilson score interval, which stays honest for small samples."""
    n = right + wrong
    if n == 0:
        return Precision(0, 0, 0.0, 0.0, 1.0)
    z = 1.96
    p = right / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return Precision(right, wrong, p, max(0.0, centre - margin), min(1.0, centre + margin))


def term_counts(result: TestResult) -> Counter[str]:
    """Which terms of the query did the hitting, to spot one term that drags in noise."""
    return Counter(h.term for hit in result.hits for h in hit.hits)
