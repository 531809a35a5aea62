"""Story clustering speed: signatures per second, and an in-memory index of 1,000,000 mentions.

The index is filled with 1,000,000 random signatures (values uniform like those of texts that
share no word triples: computing a million real ones would only repeat the signature figure) and
1,000 signatures of generated articles; `find` is timed for edited copies of those articles (hits)
and for new articles (misses). Real corpora share boilerplate, so expect more candidates per
lookup than the figure below.
"""

from __future__ import annotations

import random
import resource
import statistics
import time

import numpy as np

from monitor.stories import PERMUTATIONS, Signature, StoryIndex, signature

ENTRIES = 1_000_000
ARTICLES = 1_000
LOOKUPS = 2_000


def _vocabulary(rng: random.Random, size: int = 20_000) -> list[str]:
    syllables = ["ka", "lo", "mi", "ver", "de", "an", "stro", "om", "lijn", "en", "ie", "ui"]
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choices(syllables, k=rng.randint(1, 5))))
    return sorted(words)


def _texts(rng: random.Random, vocabulary: list[str], count: int, words: int) -> list[str]:
    weights = [1 / rank for rank in range(1, len(vocabulary) + 1)]
    return [" ".join(rng.choices(vocabulary, weights, k=words)) for _ in range(count)]


def _signed(text: str) -> Signature:
    sig = signature(text)
    assert sig is not None
    return sig


def _rate(texts: list[str]) -> float:
    started = time.perf_counter()
    for text in texts:
        signature(text)
    return len(texts) / (time.perf_counter() - started)


def _random_signatures(count: int) -> list[Signature]:
    values = np.random.default_rng(1).integers(
        0, 2**32, size=(count, PERMUTATIONS), dtype=np.uint32
    )
    values.flags.writeable = False
    return [Signature(row) for row in values]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _lookups(index: StoryIndex, queries: list[Signature]) -> tuple[list[float], list[int | None]]:
    seconds, found = [], []
    for sig in queries:
        started = time.perf_counter()
        found.append(index.find(sig))
        seconds.append(time.perf_counter() - started)
    return seconds, found


def _latency(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p99 = ordered[int(len(ordered) * 0.99)]
    return f"{statistics.mean(ordered) * 1000:.3f} / {p99 * 1000:.3f}"


def run(entries: int = ENTRIES) -> list[tuple[str, str]]:
    rng = random.Random(7)
    vocabulary = _vocabulary(rng)
    short = _texts(rng, vocabulary, 5_000, 60)
    long = _texts(rng, vocabulary, 200, 2_000)
    short_rate, long_rate = _rate(short), _rate(long)

    articles = _texts(rng, vocabulary, ARTICLES, 120)
    copies = ["Lees verder: " + " ".join(a.split()[8:]) + " Lees verder op nu.nl" for a in articles]
    fillers = _random_signatures(entries - ARTICLES)
    before = _rss_mb()
    index = StoryIndex()
    started = time.perf_counter()
    for number, sig in enumerate(fillers):
        index.add(ARTICLES + number, sig)
    for number, article in enumerate(articles):
        index.add(number, _signed(article))
    inserted = len(index) / (time.perf_counter() - started)
    grown = _rss_mb() - before

    hits, found = _lookups(index, [_signed(c) for c in copies[: LOOKUPS // 2]])
    recall = sum(f == n for n, f in enumerate(found)) / len(found)
    fresh = _texts(rng, vocabulary, LOOKUPS // 2, 120)
    misses, merged = _lookups(index, [_signed(text) for text in fresh])
    candidates = statistics.mean(len(index.candidates(_signed(text))) for text in fresh[:200])
    return [
        ("story signature, 60-word text (texts/s)", f"{short_rate:,.0f}"),
        ("story signature, 2,000-word text (texts/s)", f"{long_rate:,.0f}"),
        (f"story index: insert {len(index):,} (mentions/s)", f"{inserted:,.0f}"),
        ("story index: band table in memory (MB, RSS growth)", f"{grown:,.0f}"),
        ("story index: find a copy, mean / p99 (ms)", _latency(hits)),
        ("story index: find a new story, mean / p99 (ms)", _latency(misses)),
        ("story index: copies found", f"{recall:.1%}"),
        ("story index: new stories merged into another", f"{len(merged) - merged.count(None)}"),
        ("story index: candidates per new story (mean)", f"{candidates:.2f}"),
    ]


if __name__ == "__main__":
    for name, value in run():
        print(f"{name:<50}  {value}")
