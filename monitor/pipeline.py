"""Items -> mentions: match the brand, drop duplicates, classify, route, store. One function per
stage, each working on a whole batch."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from monitor.classify import ModelProvider
from monitor.config import Settings
from monitor.dedup import content_hash, dedup_key
from monitor.language import LanguageDetector
from monitor.priority import priority
from monitor.query import Document, Hit, Query
from monitor.routing import route
from monitor.sources.base import Item
from monitor.store.db import Database
from monitor.store.mentions import add_rows, existing_keys, insert_new
from monitor.store.models import Classification, Event, utcnow

MAX_HITS_STORED = 20


@dataclass(frozen=True)
class Brand:
    name: str
    query: Query


@dataclass(frozen=True)
class Matched:
    item: Item
    brand: str
    hits: list[Hit]


@dataclass(frozen=True)
class Keyed:
    matched: Matched
    key: str
    fingerprint: str


@dataclass
class IngestReport:
    received: int = 0
    matched: int = 0
    new: int = 0
    duplicates: int = 0

    def add(self, other: IngestReport) -> None:
        for name in ("received", "matched", "new", "duplicates"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def brands_from(settings: Settings) -> list[Brand]:
    return [Brand(b.name, Query.compile(b.query)) for b in settings.brands]


def match_items(items: Sequence[Item], brands: Sequence[Brand]) -> list[Matched]:
    """Keep the items that a brand query matches; the first matching brand owns the item."""
    matched = []
    for item in items:
        document = Document({"title": item.title, "text": item.text})
        for brand in brands:
            hits = brand.query.match(document)
            if hits is not None:
                matched.append(Matched(item, brand.name, hits))
                break
    return matched


def assign_keys(matched: Sequence[Matched], source: str) -> list[Keyed]:
    """Give each item its dedup key and drop repeats within the batch itself."""
    fingerprints = [content_hash(m.item.title, m.item.text) for m in matched]
    contents_per_url: dict[str, set[str]] = {}
    for m, fingerprint in zip(matched, fingerprints, strict=True):
        if m.item.url:
            contents_per_url.setdefault(m.item.url, set()).add(fingerprint)
    keyed: dict[str, Keyed] = {}
    for m, fingerprint in zip(matched, fingerprints, strict=True):
        key = dedup_key(
            url=m.item.url,
            source_item_id=m.item.source_item_id,
            source=source,
            fingerprint=fingerprint,
            url_is_unique=len(contents_per_url.get(m.item.url or "", ())) <= 1,
        )
        keyed.setdefault(key, Keyed(m, key, fingerprint))
    return list(keyed.values())


class Ingestor:
    """Runs the stages for one source's batch; safe to call from several threads."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        models: ModelProvider,
        languages: LanguageDetector | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.models = models
        self.languages = languages or LanguageDetector(settings.classifier.languages)
        self.brands = brands_from(settings)

    def ingest(
        self,
        *,
        source_id: int,
        source_name: str,
        items: Sequence[Item],
        brands: Sequence[str] | None = None,
        now: datetime | None = None,
    ) -> IngestReport:
        now = now or utcnow()
        report = IngestReport(received=len(items))
        wanted = [b for b in self.brands if brands is None or b.name in brands]
        matched = match_items(items, wanted)
        report.matched = len(matched)
        keyed = assign_keys(matched, source_name)
        if not keyed:
            return report
        with self.db.read() as session:
            known = existing_keys(session, [k.key for k in keyed])
        fresh = [k for k in keyed if k.key not in known]
        report.duplicates = report.matched - len(fresh)
        if not fresh:
            return report
        rows, extras = self._build_rows(fresh, source_id, now)
        with self.db.write() as session:
            inserted = insert_new(session, rows)
            classifications, events = [], []
            for key, mention_id in inserted.items():
                extra = extras[key]
                classifications.append({"mention_id": mention_id, **extra["classification"]})
                events.append(
                    {
                        "mention_id": mention_id,
                        "source_id": source_id,
                        "kind": "mention.collected",
                        "actor": "system",
                        "data": extra["event"],
                        "created_at": now,
                    }
                )
            add_rows(session, Classification, classifications)
            add_rows(session, Event, events)
        report.new = len(inserted)
        report.duplicates = report.matched - report.new
        return report

    def _build_rows(
        self, fresh: Sequence[Keyed], source_id: int, now: datetime
    ) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
        model = self.models.get()
        texts = [f"{k.matched.item.title}\n{k.matched.item.text}".strip() for k in fresh]
        predictions = model.predict(texts)
        rows, extras = [], {}
        for k, text, prediction in zip(fresh, texts, predictions, strict=True):
            item = k.matched.item
            decision = route(prediction.category, prediction.confidence, self.settings)
            published = min(item.published_at, now) if item.published_at else now
            hits = [asdict(h) for h in k.matched.hits[:MAX_HITS_STORED]]
            rows.append(
                {
                    "dedup_key": k.key,
                    "source_id": source_id,
                    "source_item_id": item.source_item_id,
                    "brand": k.matched.brand,
                    "url": item.url,
                    "title": item.title,
                    "text": item.text,
                    "author": item.author,
                    "language": self.languages.detect(text, item.language_hint),
                    "published_at": published,
                    "collected_at": now,
                    "content_hash": k.fingerprint,
                    "matched": hits,
                    "category": prediction.category,
                    "confidence": prediction.confidence,
                    "model_version": model.version,
                    "needs_review": decision.needs_review,
                    "team": decision.team,
                    "status": "new",
                    "priority": priority(prediction.category, item.title, item.text),
                    "updated_at": now,
                }
            )
            extras[k.key] = {
                "classification": {
                    "category": prediction.category,
                    "confidence": prediction.confidence,
                    "scores": prediction.scores,
                    "model_version": model.version,
                    "created_at": now,
                },
                "event": {
                    "brand": k.matched.brand,
                    "matched_terms": sorted(Counter(h.term for h in k.matched.hits)),
                    "category": prediction.category,
                    "confidence": prediction.confidence,
                    "model_version": model.version,
                    "team": decision.team,
                    "routing_reason": decision.reason,
                },
            }
        return rows, extras
