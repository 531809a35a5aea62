"""Items -> mentions: match the brand, drop duplicates (exact and near), classify, route, store.
One function per stage, each working on a whole batch."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from monitor import stories
from monitor.alerts.alerter import Alerter
from monitor.classify import ModelProvider
from monitor.config import Settings
from monitor.deadlines import find_deadline
from monitor.dedup import Keyed, assign_keys, content_hash, resolve_known, sighting_keys
from monitor.language import LanguageDetector
from monitor.matching import LearnedBlocks, MatchOutcome, SourceRules, match_items, rules_for
from monitor.priority import priority
from monitor.routing import route
from monitor.sources.base import Item
from monitor.store import blocks
from monitor.store import sources as source_store
from monitor.store.alerts import NewAlert, raise_alerts
from monitor.store.attachments import add_attachments
from monitor.store.db import Database
from monitor.store.mentions import add_rows, insert_new
from monitor.store.models import Classification, Event, utcnow
from monitor.store.sightings import (
    add_bands,
    add_sightings,
    find_known,
    recorded_sightings,
    sample_unmatched,
    sampled_unmatched,
    seen_by_source,
    story_candidates,
)

MAX_HITS_STORED = 20
# How often a worker asks whether agents changed the blocklist (monitor.store.blocks).
BLOCKS_RECHECK = 15.0
_BATCH_IDS = 2**62


@dataclass
class IngestReport:
    received: int = 0
    blocked: int = 0
    matched: int = 0
    new: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    # Position in the batch -> the mention the item became or joined (matched items only).
    mentions: dict[int, int] = field(default_factory=dict)
    created: set[int] = field(default_factory=set)  # the ids of the new mentions

    def add(self, other: IngestReport) -> None:
        for name in ("received", "blocked", "matched", "new", "duplicates", "near_duplicates"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class _Plan:
    """What the batch turned out to be, before anything is written."""

    exact: dict[str, int] = field(default_factory=dict)  # item key -> existing mention id
    near: dict[str, tuple[int | str, float]] = field(default_factory=dict)  # -> id or batch key
    fresh: list[Keyed] = field(default_factory=list)
    signatures: dict[str, stories.Signature] = field(default_factory=dict)


def _text(k: Keyed) -> str:
    return f"{k.matched.item.title}\n{k.matched.item.text}".strip()


def _mention_of(k: Keyed, plan: _Plan, inserted: dict[str, int]) -> int | None:
    """The mention a matched item became (new) or repeats (exact or near duplicate)."""
    target: int | str | None = inserted.get(k.key) or plan.exact.get(k.key)
    if target is None and k.key in plan.near:
        target = plan.near[k.key][0]
    if isinstance(target, str):  # a story first seen in this very batch
        target = inserted.get(target) or plan.exact.get(target)
    return target


def _placed(
    keyed: Sequence[Keyed], plan: _Plan, inserted: dict[str, int], positions: dict[int, int]
) -> dict[int, int]:
    """Where each matched item of the batch went, by its position in the batch."""
    placed = {}
    for k in keyed:
        target = _mention_of(k, plan, inserted)
        position = positions.get(id(k.matched.item))
        if target is not None and position is not None:
            placed[position] = target
    return placed


class Ingestor:
    """Runs the stages for one source's batch; safe to call from several threads."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        models: ModelProvider,
        languages: LanguageDetector | None = None,
        alerter: Alerter | None = None,
    ) -> None:
        # The config file's settings; self.settings adds the sources added on the page.
        self.base_settings = settings
        self.settings = settings
        self.db = db
        self.models = models
        self.alerter = alerter
        self.languages = languages or LanguageDetector(settings.classifier.languages)
        self._rules: dict[str, SourceRules] = {}
        self.blocks_recheck = BLOCKS_RECHECK
        self._learned = LearnedBlocks()
        self._blocks_version: tuple[int, int, str] | None = None
        self._page_sources_version: tuple[Any, ...] | None = None
        self._blocks_checked = float("-inf")
        self._blocks_lock = threading.Lock()

    def rules(self, source_name: str) -> SourceRules:
        self._refresh_from_database()
        rules = self._rules.get(source_name)
        if rules is None:
            rules = self._rules[source_name] = rules_for(self.settings, source_name, self._learned)
        return rules

    def _refresh_from_database(self) -> None:
        """Pick up blocklist entries agents added or removed in the queue, and sources admins
        added or changed on the sources page, at most every few seconds."""
        if time.monotonic() < self._blocks_checked + self.blocks_recheck:
            return
        with self._blocks_lock:
            if time.monotonic() < self._blocks_checked + self.blocks_recheck:
                return
            with self.db.read() as session:
                current = blocks.version(session)
                if current != self._blocks_version:
                    self._learned = blocks.load(session)
                    self._blocks_version = current
                    self._rules = {}
                on_page = source_store.page_sources_version(session)
                if on_page != self._page_sources_version:
                    extra = source_store.page_sources(session)
                    self.settings = self.base_settings.with_page_sources(extra)
                    self._page_sources_version = on_page
                    self._rules = {}
            self._blocks_checked = time.monotonic()

    def ingest(
        self,
        *,
        source_id: int,
        source_name: str,
        items: Sequence[Item],
        now: datetime | None = None,
    ) -> IngestReport:
        now = now or utcnow()
        received = len(items)
        positions = {id(item): index for index, item in enumerate(items)}
        # What this source delivered and we stored before needs no language, matching or
        # classification again: most of a refetched feed is old news.
        keys = sighting_keys(items, source_name)
        with self.db.read() as session:
            delivered = seen_by_source(session, source_id, keys)
        if delivered:
            items = [item for item, key in zip(items, keys, strict=True) if key not in delivered]
        languages = [
            self.languages.detect(f"{item.title}\n{item.text}", item.language_hint)
            for item in items
        ]
        outcome = match_items(items, self.rules(source_name), languages)
        report = IngestReport(
            received=received,
            blocked=len(outcome.blocked),
            matched=len(outcome.matched) + received - len(items),
        )
        keyed = assign_keys(outcome.matched, source_name)
        plan = self._plan(keyed, now)
        rows, extras = self._build_rows(plan.fresh, plan.signatures, source_id, source_name, now)
        # Sightings of stored mentions and unmatched samples are known before writing; those
        # already recorded are dropped, so a feed fetched again unchanged writes nothing at all.
        known_sightings = self._sightings(plan, keyed, {}, source_id, now)
        unmatched = self._unmatched_rows(outcome, source_id, now)
        with self.db.read() as session:
            recorded = recorded_sightings(
                session,
                [r["mention_id"] for r in known_sightings],
                [r["sighting_key"] for r in known_sightings],
            )
            sampled = sampled_unmatched(session, source_id, [r["content_hash"] for r in unmatched])
        seen_again = [r for r in known_sightings if r["sighting_key"] not in recorded]
        unmatched = [r for r in unmatched if r["content_hash"] not in sampled]
        report.near_duplicates = sum(1 for k in keyed if k.key in plan.near)
        report.duplicates = report.matched - report.near_duplicates
        pictured = any(k.matched.item.images for k in keyed)
        if not rows and not seen_again and not unmatched and not pictured:
            report.mentions = _placed(keyed, plan, {}, positions)
            return report
        with self.db.write() as session:
            inserted = insert_new(session, rows)
            # A row another worker wrote first is a duplicate now, not a new mention.
            raced = [k for k in plan.fresh if k.key not in inserted]
            if raced:
                known = find_known(session, dedup_keys=[k.key for k in raced], url_keys=[],
                                   item_keys=[], content_hashes=[])  # fmt: skip
                plan.exact.update(
                    {k.key: m.id for k in raced for m in known if m.dedup_key == k.key}
                )
            self._write_new(session, plan, inserted, extras, source_id, now)
            if pictured:  # screenshots in forwarded mails: a repeat may bring a new one
                pictures = [
                    (mention_id, image)
                    for k in keyed
                    if k.matched.item.images
                    and (mention_id := _mention_of(k, plan, inserted)) is not None
                    for image in k.matched.item.images
                ]
                add_attachments(session, pictures, now)
            alerts = self._alerts(rows, inserted, source_name, now)
            if alerts:  # in this transaction: stored mention and its alert, or neither
                raise_alerts(session, alerts, now)
            # Rows that needed the new ids: first sightings, copies of this batch's stories,
            # and items another worker stored first.
            planned = {r["sighting_key"] for r in known_sightings}
            fresh_rows = [
                r
                for r in self._sightings(plan, keyed, inserted, source_id, now)
                if r["sighting_key"] not in planned
            ]
            add_sightings(session, [*fresh_rows, *seen_again], now)
            sample_unmatched(
                session, source_id, unmatched, keep=self.settings.dedup.unmatched_sample
            )
        report.new = len(inserted)
        report.duplicates = report.matched - report.new - report.near_duplicates
        report.mentions = _placed(keyed, plan, inserted, positions)
        report.created = set(inserted.values())
        if alerts and self.alerter is not None:
            self.alerter.raised()
        return report

    def _alerts(
        self,
        rows: Sequence[dict[str, Any]],
        inserted: dict[str, int],
        source_name: str,
        now: datetime,
    ) -> list[NewAlert]:
        if self.alerter is None or not inserted:
            return []
        stored = [{**r, "id": inserted[r["dedup_key"]]} for r in rows if r["dedup_key"] in inserted]
        return self.alerter.for_mentions(stored, source_name, now)

    # --- stages ----------------------------------------------------------------------------

    def _plan(self, keyed: Sequence[Keyed], now: datetime) -> _Plan:
        """Exact duplicates by any identity, then near duplicates among the rest."""
        plan = _Plan()
        if not keyed:
            return plan
        with self.db.read() as session:
            known = find_known(
                session,
                dedup_keys=[k.key for k in keyed],
                url_keys=[k.url_key for k in keyed if k.url_key],
                item_keys=[k.item_key for k in keyed if k.item_key],
                content_hashes=[k.fingerprint for k in keyed if k.text_identifies],
            )
            plan.exact = resolve_known(keyed, known)
            rest = [k for k in keyed if k.key not in plan.exact]
            for k in rest:
                signature = stories.signature(_text(k))
                if signature is not None:
                    plan.signatures[k.key] = signature
            bands = {b for s in plan.signatures.values() for b in stories.band_keys(s)}
            since = now - timedelta(seconds=self.settings.dedup.story_window)
            stored = story_candidates(session, bands, since) if bands else {}
        index = stories.StoryIndex()
        known_signatures: dict[int, stories.Signature] = {}
        for mention_id, payload in stored.items():
            known_signatures[mention_id] = stories.Signature.from_bytes(payload)
            index.add(mention_id, known_signatures[mention_id])
        # Items of this batch get ids above any stored one, so stored mentions win ties.
        batch_ids: dict[int, str] = {}
        for k in rest:
            signature = plan.signatures.get(k.key)
            found = index.find(signature) if signature is not None else None
            if signature is not None and found is not None:
                score = stories.similarity(signature, known_signatures[found])
                plan.near[k.key] = (batch_ids.get(found, found), score)
                continue
            plan.fresh.append(k)
            if signature is not None:  # later items of this batch may be the same story
                batch_id = _BATCH_IDS + len(batch_ids)
                batch_ids[batch_id] = k.key
                known_signatures[batch_id] = signature
                index.add(batch_id, signature)
        return plan

    def _build_rows(
        self,
        fresh: Sequence[Keyed],
        signatures: dict[str, stories.Signature],
        source_id: int,
        source_name: str,
        now: datetime,
    ) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
        if not fresh:
            return [], {}
        model = self.models.get()
        texts = [_text(k) for k in fresh]
        predictions = model.predict(texts)
        rows, extras = [], {}
        config = self.settings.source(source_name)
        reach = config.reach if config else "normal"
        for k, text, prediction in zip(fresh, texts, predictions, strict=True):
            item = k.matched.item
            decision = route(
                prediction.category, prediction.confidence, self.settings, k.matched.language
            )
            published = min(item.published_at, now) if item.published_at else now
            signature = signatures.get(k.key)
            deadline = (
                find_deadline(text, now, self.settings.locale.zone)
                if prediction.category == "journalist_inquiry"
                else None
            )
            rows.append(
                {
                    "dedup_key": k.key,
                    "url_key": k.url_key,
                    "item_key": k.item_key,
                    "source_id": source_id,
                    "source_item_id": item.source_item_id,
                    "brand": k.matched.brand,
                    "url": item.url,
                    "title": item.title,
                    "text": item.text,
                    "author": item.author,
                    "language": k.matched.language,
                    "published_at": published,
                    "collected_at": now,
                    "content_hash": k.fingerprint,
                    "matched": [asdict(h) for h in k.matched.hits[:MAX_HITS_STORED]],
                    "category": prediction.category,
                    "confidence": prediction.confidence,
                    "model_version": model.version,
                    "needs_review": decision.needs_review,
                    "team": decision.team,
                    "status": "new",
                    "priority": priority(
                        prediction.category,
                        item.title,
                        item.text,
                        confidence=prediction.confidence,
                        reach=reach,
                        deadline_at=deadline.at if deadline else None,
                        now=now,
                    ),
                    "deadline_at": deadline.at if deadline else None,
                    "deadline_phrase": deadline.phrase[:200] if deadline else None,
                    "updated_at": now,
                    "sightings_count": 1,
                    "last_seen_at": now,
                    "signature": signature.to_bytes() if signature is not None else None,
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
                "signature": signature,
            }
        return rows, extras

    def _write_new(
        self,
        session: Any,
        plan: _Plan,
        inserted: dict[str, int],
        extras: dict[str, dict[str, Any]],
        source_id: int,
        now: datetime,
    ) -> None:
        classifications: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        bands: list[dict[str, Any]] = []
        for key, mention_id in inserted.items():
            extra = extras[key]
            classifications.append({"mention_id": mention_id, **extra["classification"]})
            events.append(
                {"mention_id": mention_id, "source_id": source_id, "kind": "mention.collected",
                 "actor": "system", "data": extra["event"], "created_at": now}
            )  # fmt: skip
            signature = extra["signature"]
            if signature is not None:
                bands.extend(
                    {"band_key": band, "mention_id": mention_id, "created_at": now}
                    for band in set(stories.band_keys(signature))
                )
        add_rows(session, Classification, classifications)
        add_rows(session, Event, events)
        add_bands(session, bands)

    def _sightings(
        self,
        plan: _Plan,
        keyed: Sequence[Keyed],
        inserted: dict[str, int],
        source_id: int,
        now: datetime,
    ) -> list[dict[str, Any]]:
        rows = []
        for k in keyed:
            item = k.matched.item
            similarity: float | None = None
            if k.key in inserted:
                mention_id, kind = inserted[k.key], "first"
            elif k.key in plan.exact:
                mention_id, kind = plan.exact[k.key], "exact"
            elif k.key in plan.near:
                target, similarity = plan.near[k.key]
                resolved = inserted.get(target) if isinstance(target, str) else target
                if resolved is None:
                    continue
                mention_id, kind = resolved, "near"
            else:
                continue
            rows.append(
                {"mention_id": mention_id, "source_id": source_id, "sighting_key": k.sighting_key,
                 "kind": kind, "similarity": similarity, "url": item.url, "title": item.title,
                 "author": item.author, "seen_at": now}
            )  # fmt: skip
        return rows

    def _unmatched_rows(
        self, outcome: MatchOutcome, source_id: int, now: datetime
    ) -> list[dict[str, Any]]:
        if self.settings.dedup.unmatched_sample <= 0:
            return []
        return [
            {"source_id": source_id, "url": item.url, "title": item.title, "text": item.text,
             "author": item.author, "content_hash": content_hash(item.title, item.text),
             "seen_at": now}
            for item in outcome.unmatched
        ]  # fmt: skip
