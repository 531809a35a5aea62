"""Where a mention was seen again: exact duplicates, near duplicates (story bands), and the
sample of items that matched no brand."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from monitor.dedup import KnownMention
from monitor.store.bulk import insert_ignoring_conflicts
from monitor.store.models import Mention, Sighting, StoryBand, UnmatchedItem

_CHUNK = 200
_BAND_CHUNK = 2000  # 32 keys per item: large chunks keep a feed's lookup to a few queries


def find_known(
    session: Session,
    *,
    dedup_keys: Sequence[str],
    url_keys: Sequence[str],
    item_keys: Sequence[str],
    content_hashes: Sequence[str],
) -> list[KnownMention]:
    """Mentions that share any identity with the given items: one indexed query per chunk."""
    found: dict[int, KnownMention] = {}
    groups = [
        (Mention.dedup_key, list(dict.fromkeys(dedup_keys))),
        (Mention.url_key, list(dict.fromkeys(url_keys))),
        (Mention.item_key, list(dict.fromkeys(item_keys))),
        (Mention.content_hash, list(dict.fromkeys(content_hashes))),
    ]
    longest = max(len(values) for _, values in groups)
    for start in range(0, longest, _CHUNK):
        conditions = [
            column.in_(values[start : start + _CHUNK])
            for column, values in groups
            if values[start : start + _CHUNK]
        ]
        rows = session.execute(
            select(Mention.id, Mention.dedup_key, Mention.url_key, Mention.item_key,
                   Mention.content_hash).where(or_(*conditions))
        )  # fmt: skip
        for row in rows:
            found[row.id] = KnownMention(*row)
    return list(found.values())


def add_sightings(session: Session, rows: Sequence[dict[str, Any]], now: datetime) -> Counter[int]:
    """Record sightings, skipping ones already recorded; bumps the count of the mentions seen
    again (a new mention is stored with its first sighting already counted)."""
    first = [row for row in rows if row["kind"] == "first"]
    again = [row for row in rows if row["kind"] != "first"]
    insert_ignoring_conflicts(session, Sighting, first, conflict=["mention_id", "sighting_key"])
    written = insert_ignoring_conflicts(
        session, Sighting, again, conflict=["mention_id", "sighting_key"], returning=["mention_id"]
    )
    counts = Counter(mention_id for (mention_id,) in written)
    for mention_id, added in counts.items():
        session.execute(
            update(Mention)
            .where(Mention.id == mention_id)
            .values(sightings_count=Mention.sightings_count + added, last_seen_at=now)
        )
    return counts


def seen_by_source(session: Session, source_id: int, sighting_keys: Sequence[str]) -> set[str]:
    """Which of these items this source has delivered before (and were stored)."""
    found: set[str] = set()
    keys = list(set(sighting_keys))
    for start in range(0, len(keys), _CHUNK):
        found.update(
            session.scalars(
                select(Sighting.sighting_key).where(
                    Sighting.sighting_key.in_(keys[start : start + _CHUNK]),
                    Sighting.source_id == source_id,
                )
            )
        )
    return found


def recorded_sightings(
    session: Session, mention_ids: Iterable[int], sighting_keys: Iterable[str]
) -> set[str]:
    """Which of these sightings are already recorded (the unique index answers it)."""
    ids, keys = sorted(set(mention_ids)), list(set(sighting_keys))
    if not ids or not keys:
        return set()
    found: set[str] = set()
    for start in range(0, len(keys), _CHUNK):
        found.update(
            session.scalars(
                select(Sighting.sighting_key).where(
                    Sighting.mention_id.in_(ids),
                    Sighting.sighting_key.in_(keys[start : start + _CHUNK]),
                )
            )
        )
    return found


def sampled_unmatched(session: Session, source_id: int, content_hashes: Sequence[str]) -> set[str]:
    """Which of these unmatched items the source's sample already holds."""
    found: set[str] = set()
    hashes = list(set(content_hashes))
    for start in range(0, len(hashes), _CHUNK):
        found.update(
            session.scalars(
                select(UnmatchedItem.content_hash).where(
                    UnmatchedItem.source_id == source_id,
                    UnmatchedItem.content_hash.in_(hashes[start : start + _CHUNK]),
                )
            )
        )
    return found


def list_sightings(session: Session, mention_id: int) -> list[Sighting]:
    return list(
        session.scalars(
            select(Sighting).where(Sighting.mention_id == mention_id).order_by(Sighting.id)
        )
    )


def add_bands(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    insert_ignoring_conflicts(session, StoryBand, rows, conflict=["band_key", "mention_id"])


def story_candidates(
    session: Session, band_keys: Iterable[int], since: datetime
) -> dict[int, bytes]:
    """Signatures of recent mentions sharing at least one band with the given keys."""
    keys = list(set(band_keys))
    signatures: dict[int, bytes] = {}
    for start in range(0, len(keys), _BAND_CHUNK):
        rows = session.execute(
            select(Mention.id, Mention.signature)
            .join(StoryBand, StoryBand.mention_id == Mention.id)
            .where(
                StoryBand.band_key.in_(keys[start : start + _BAND_CHUNK]),
                StoryBand.created_at >= since,
                Mention.signature.is_not(None),
            )
        )
        signatures.update({row.id: row.signature for row in rows})
    return signatures


def forget_old_bands(session: Session, before: datetime) -> int:
    result = session.execute(delete(StoryBand).where(StoryBand.created_at < before))
    return int(getattr(result, "rowcount", 0) or 0)


def sample_unmatched(
    session: Session, source_id: int, rows: Sequence[dict[str, Any]], *, keep: int
) -> None:
    """Keep the newest `keep` unmatched items of a source, for testing draft queries."""
    if keep <= 0 or not rows:
        return
    insert_ignoring_conflicts(session, UnmatchedItem, rows[-keep:],
                              conflict=["source_id", "content_hash"])  # fmt: skip
    count = session.scalar(select(func.count()).where(UnmatchedItem.source_id == source_id))
    if count and count > keep * 1.2:  # prune in steps, not on every batch
        cutoff = session.scalar(
            select(UnmatchedItem.id)
            .where(UnmatchedItem.source_id == source_id)
            .order_by(UnmatchedItem.id.desc())
            .offset(keep)
            .limit(1)
        )
        if cutoff is not None:
            session.execute(
                delete(UnmatchedItem).where(
                    UnmatchedItem.source_id == source_id, UnmatchedItem.id <= cutoff
                )
            )


def recent_unmatched(session: Session, limit: int = 5000) -> list[UnmatchedItem]:
    return list(
        session.scalars(select(UnmatchedItem).order_by(UnmatchedItem.id.desc()).limit(limit))
    )
