"""Dedup lookup per mention with 1,000,000 stored mentions, on SQLite and PostgreSQL.

Each lookup is what the pipeline does for a new item: find a stored mention sharing any
identity (key, canonical URL, id within the source, long text), then fetch the near-duplicate
candidates sharing a story band within the window. The window's mentions (the newest 100,000)
carry story bands, as after pruning.

Set BENCH_MENTIONS to use another size; BENCH_POSTGRES_URL (default the local test database)
to choose the PostgreSQL server; PostgreSQL is skipped with a reason when unreachable.
"""

from __future__ import annotations

import hashlib
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, text

from monitor import stories
from monitor.config import normalise_database_url
from monitor.store import migrate
from monitor.store.db import Database
from monitor.store.models import Mention, Source, StoryBand
from monitor.store.sightings import find_known, story_candidates

MENTIONS = int(os.environ.get("BENCH_MENTIONS", "1000000"))
WINDOW = min(100_000, MENTIONS)
LOOKUPS = 500
POSTGRES = normalise_database_url(
    os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
)
WORDS = (
    "stroomlijn",
    "storing",
    "factuur",
    "klant",
    "monteur",
    "wachten",
    "app",
    "contract",
    "zonnepanelen",
    "prijs",
    "energie",
    "bericht",
    "vraag",
    "dank",
    "goed",
    "slecht",
    "snel",
    "traag",
    "nieuws",
    "laadpaal",
    "meter",
)


def _key(prefix: str, i: int) -> str:
    return hashlib.sha256(f"{prefix}{i}".encode()).hexdigest()


def _fill(db: Database) -> None:
    now = datetime.now(UTC)
    rng = random.Random(1)
    signature = stories.signature(" ".join(rng.choice(WORDS) for _ in range(40)))
    assert signature is not None
    with db.engine.begin() as connection:
        connection.execute(
            insert(Source),
            [
                {
                    "name": "bench",
                    "type": "rss",
                    "url": "https://example.org/f",
                    "interval_seconds": 300,
                    "state": "active",
                    "options": {},
                    "next_check_at": now,
                    "consecutive_errors": 0,
                    "total_errors": 0,
                    "total_checks": 0,
                    "items_collected": 0,
                    "created_at": now,
                }
            ],
        )
        batch = 20_000
        for start in range(0, MENTIONS, batch):
            rows = []
            for i in range(start, min(start + batch, MENTIONS)):
                rows.append({
                    "dedup_key": _key("d", i), "url_key": _key("u", i), "item_key": _key("i", i),
                    "content_hash": _key("c", i), "source_id": 1, "brand": "B", "title": "",
                    "text": f"bericht {i}", "author": "", "published_at": now,
                    "collected_at": now, "matched": [], "category": "other", "confidence": 0.5,
                    "model_version": "bench", "needs_review": False, "team": "webcare",
                    "status": "new", "priority": 10, "updated_at": now, "sightings_count": 1,
                    "signature": signature.to_bytes() if i >= MENTIONS - WINDOW else None,
                })  # fmt: skip
            connection.execute(insert(Mention), rows)
        # Unrelated stories share no band, so random keys stand in for their signatures.
        first_banded = MENTIONS - WINDOW + 1
        for start in range(first_banded, MENTIONS + 1, batch):
            bands = [
                {"band_key": rng.getrandbits(63), "mention_id": mention_id, "created_at": now}
                for mention_id in range(start, min(start + batch, MENTIONS + 1))
                for _ in range(stories.BANDS)
            ]
            connection.execute(insert(StoryBand), bands)
        if db.is_postgresql:
            connection.execute(text("ANALYZE"))


def _measure(db: Database, batch: int) -> tuple[float, float]:
    """Per-mention time of the lookups, for batches of `batch` items as the pipeline sends them."""
    rng = random.Random(2)
    since = datetime.now(UTC) - timedelta(days=7)
    timings = []
    for n in range(max(20, LOOKUPS // batch)):
        ids = [rng.randrange(MENTIONS * 2) for _ in range(batch)]  # half known, half new
        probes = [stories.signature(" ".join(rng.choice(WORDS) for _ in range(30)) + f" x{n}{i}")
                  for i in range(batch)]  # fmt: skip
        bands = [key for probe in probes if probe is not None for key in stories.band_keys(probe)]
        started = time.perf_counter()
        with db.read() as session:
            find_known(session, dedup_keys=[_key("d", i) for i in ids],
                       url_keys=[_key("u", i) for i in ids], item_keys=[_key("i", i) for i in ids],
                       content_hashes=[_key("c", i) for i in ids])  # fmt: skip
            story_candidates(session, bands, since)
        timings.append((time.perf_counter() - started) / batch)
    timings.sort()
    return statistics.median(timings) * 1000, timings[int(len(timings) * 0.95)] * 1000


def _figures(db: Database, label: str, filled: float) -> list[tuple[str, str]]:
    out = []
    for batch in (1, 50):
        median, p95 = _measure(db, batch)
        what = "one item alone" if batch == 1 else f"per item in batches of {batch}"
        out.append((f"{label}: dedup lookup at {MENTIONS:,} mentions, {what}, median / p95 (ms)",
                    f"{median:.2f} / {p95:.2f}"))  # fmt: skip
    out.append((f"{label}: time to store {MENTIONS:,} mentions", f"{filled:.0f}s"))
    return out


def postgres_url() -> str | None:
    try:
        engine = create_engine(POSTGRES, connect_args={"connect_timeout": 3})
        with engine.begin() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception:
        return None
    return POSTGRES


@contextmanager
def scratch_schema(url: str) -> Iterator[str]:
    """A URL for a fresh PostgreSQL schema that is dropped afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def run() -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{Path(folder) / 'dedup.db'}")
        migrate.upgrade(db)
        started = time.perf_counter()
        _fill(db)
        filled = time.perf_counter() - started
        rows += _figures(db, "SQLite", filled)
        db.dispose()
    url = postgres_url()
    if url is None:
        rows.append(("PostgreSQL: dedup lookup", f"skipped: no server at {POSTGRES}"))
        return rows
    with scratch_schema(url) as schema_url:
        db = Database(schema_url)
        migrate.upgrade(db)
        started = time.perf_counter()
        _fill(db)
        filled = time.perf_counter() - started
        rows += _figures(db, "PostgreSQL", filled)
        db.dispose()
    return rows


if __name__ == "__main__":
    for name, value in run():
        print(f"{name}  {value}")
