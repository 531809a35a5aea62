"""Spot a burst of mentions against the same hour on earlier days, and say what it is about."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

State = Literal["quiet", "started", "ongoing", "ended"]

_DUTCH_STOP_WORDS = """
aan al alle alleen als altijd ben bent bij dan dat de deze die dit door dus echt een eens en
er even geen gewoon had hadden heb hebben heeft hem het hier hij hoe hun iets ik in is ja je
jij jou jullie kan kon kunnen maar me meer men met mij mijn moet na naar niet niets nog nou
nu of om omdat ons onze ook op over te tegen toch toen tot uit uw van veel voor waar wanneer
want was wat we weer wel werd wie wij wil worden wordt ze zelf zich zij zijn zo zonder zou
"""
_ENGLISH_STOP_WORDS = """
a about after again all also am an and any are as at be been being but by can could did didn
do does doesn don for from get got had has have he her here him his how if in into is isn it
its just ll me more my no not now of on only or our out over re she should so some still than
that the their them then there these they this those to too up us ve very was we were what
when where which who why will with won would you your
"""
# Noise that social posts carry in every burst and every quiet hour alike.
_WEB_WORDS = "amp com http https nl rt via www"
STOP_WORDS = frozenset((_DUTCH_STOP_WORDS + _ENGLISH_STOP_WORDS + _WEB_WORDS).split())

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# Punctuation ends a phrase: "storing. internet" must not become the bigram "storing internet".
_CLAUSE_BREAK = re.compile(r"[.!?;:,()\[\]\n]+")
_WORD = re.compile(r"[^\W_]+")  # unicode letters and digits; "_" would glue handles together
_HAS_LETTER = re.compile(r"[^\W\d_]")
# Haldane-Anscombe correction: keeps log-odds finite for a term absent from one side.
_SMOOTHING = 0.5
# A bigram stands for its word when it covers at least this share of the word's spike texts.
_BIGRAM_COVERS = 0.8
_SAME_START = 80


def baseline_windows(
    end: datetime, window: timedelta, days: int, weeks: int
) -> list[tuple[datetime, datetime]]:
    """The same window on each of the previous `days` days and on the same weekday of the
    previous `weeks` weeks, each once, newest first.

    Pass `end` in the brand's local zone to compare the same local hour across a DST change:
    arithmetic on an aware datetime keeps the wall-clock time.
    """
    if window <= timedelta(0):
        raise ValueError("the window must be longer than zero")
    if days < 0 or weeks < 0:
        raise ValueError("days and weeks cannot be negative")
    offsets = sorted({*range(1, days + 1), *range(7, 7 * weeks + 1, 7)})
    return [(end - timedelta(days=k) - window, end - timedelta(days=k)) for k in offsets]


@dataclass(frozen=True)
class SpikeRule:
    """When a burst starts and when it is over.

    A spike starts above `margin` x baseline (and at `min_count` or more) and ends only once the
    count is back at or below `end_ratio` x baseline; the gap between the two keeps a count that
    hovers around the start level from opening and closing the spike every hour.
    """

    margin: float = 2.0
    min_count: int = 10
    end_ratio: float = 1.2
    min_baseline: float = 1.0

    def __post_init__(self) -> None:
        if self.min_baseline <= 0:
            raise ValueError("min_baseline must be above zero")
        if self.min_count < 0:
            raise ValueError("min_count cannot be negative")
        if not 0 < self.end_ratio < self.margin:
            raise ValueError("end_ratio must be above zero and below margin")


@dataclass(frozen=True)
class Verdict:
    state: State
    baseline: float
    threshold: float
    ratio: float


def baseline(counts: Sequence[int]) -> float:
    """The typical count of the comparison windows.

    A mean after dropping the highest quarter (at least one window once there are four): a
    plain mean lets last week's crisis raise the bar so the next one goes unnoticed, while a
    median is 0 for a quiet brand whose mentions come in a few scattered hours. Low windows
    stay in: a missed collection only makes the alert come sooner, which is the safe side.
    """
    if not counts:
        return 0.0
    kept = sorted(counts)
    if len(kept) >= 4:
        kept = kept[: len(kept) - len(kept) // 4]
    return sum(kept) / len(kept)


def judge(current: int, counts: Sequence[int], rule: SpikeRule, *, active: bool) -> Verdict:
    """Whether a spike starts, goes on or ends with `current` mentions in the last window.
    `active` says whether a spike for this brand and category is already open."""
    typical = baseline(counts)
    floor = max(typical, rule.min_baseline)
    threshold = floor * rule.margin
    state: State
    if active:
        state = "ended" if current <= floor * rule.end_ratio else "ongoing"
    elif current >= rule.min_count and current > threshold:
        state = "started"
    else:
        state = "quiet"
    return Verdict(state=state, baseline=typical, threshold=threshold, ratio=current / floor)


def _is_term(word: str) -> bool:
    return len(word) > 1 and word not in STOP_WORDS and _HAS_LETTER.search(word) is not None


def _terms(text: str, ignored: frozenset[str]) -> set[str]:
    """The words and two-word phrases of one text, each once."""
    found: set[str] = set()
    for clause in _CLAUSE_BREAK.split(_URL.sub(" ", text.lower())):
        previous: str | None = None
        for word in _WORD.findall(clause):
            if not _is_term(word) or word in ignored:
                previous = None  # a dropped word breaks the phrase rather than bridging it
                continue
            found.add(word)
            if previous is not None:
                found.add(f"{previous} {word}")
            previous = word
    return found


def _log_odds_z(hits: int, total: int, base_hits: int, base_total: int) -> float:
    """How much more often a term shows up in the spike than in the baseline, in standard
    errors: a plain ratio ranks a word seen twice in the spike and never before above one
    that is in most spike texts."""
    if base_total == 0:
        # Nothing to compare with (a brand's first days): the most common terms say most.
        return hits / total if total else 0.0
    a = _SMOOTHING
    delta = math.log((hits + a) / (total - hits + a)) - math.log(
        (base_hits + a) / (base_total - base_hits + a)
    )
    variance = sum(1 / (n + a) for n in (hits, total - hits, base_hits, base_total - base_hits))
    return delta / math.sqrt(variance)


def top_terms(
    spike_texts: Sequence[str],
    baseline_texts: Sequence[str],
    *,
    limit: int = 8,
    ignore: Iterable[str] = (),
) -> list[str]:
    """The words and two-word phrases that set the spike's texts apart from the baseline's,
    best first. `ignore` takes brand names: they are in every mention and explain nothing."""
    if limit <= 0 or not spike_texts:
        return []
    ignored = frozenset(word for name in ignore for word in _WORD.findall(name.lower()))
    spike_df = Counter(term for text in spike_texts for term in _terms(text, ignored))
    base_df = Counter(term for text in baseline_texts for term in _terms(text, ignored))
    total, base_total = len(spike_texts), len(baseline_texts)
    # One text's wording is an anecdote, not what the burst is about.
    min_df = 2 if total >= 2 else 1
    scores = {
        term: _log_odds_z(hits, total, base_df[term], base_total)
        for term, hits in spike_df.items()
        if hits >= min_df
    }
    scores = {term: score for term, score in scores.items() if score > 0}
    covered: set[str] = set()
    for term in [term for term in scores if " " in term]:
        words = [w for w in term.split(" ") if spike_df[term] >= _BIGRAM_COVERS * spike_df[w]]
        if words:
            covered.update(words)
        else:
            # Its words are used well beyond this phrase, and they say it better.
            del scores[term]
    ranked = sorted((term for term in scores if term not in covered), key=lambda t: (-scores[t], t))
    return ranked[:limit]


def examples(posts: Sequence[tuple[int, str, int]], limit: int = 3) -> list[int]:
    """Ids of up to `limit` posts to show with a spike alert: highest priority first (input
    order among equals), one per text, since a burst is often the same post shared many times."""
    chosen: list[int] = []
    seen: set[str] = set()
    for mention_id, text, _priority in sorted(posts, key=lambda post: -post[2]):
        if len(chosen) >= limit:
            break
        start = " ".join(text.lower().split())[:_SAME_START]
        if start in seen:
            continue
        seen.add(start)
        chosen.append(mention_id)
    return chosen
