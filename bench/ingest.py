"""Ingest throughput against the raw feedparser rate, measured in the same run.

Raw: feedparser.parse of the same documents. Ours: parse (with sanitising), match the brand
query, deduplicate, detect the language, classify, route and store in a fresh SQLite database.
"""

from __future__ import annotations

import io
import random
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

import feedparser

from monitor.classify import ModelProvider
from monitor.config import settings_from_mapping
from monitor.pipeline import Ingestor
from monitor.sources.feed import parse_feed
from monitor.store import migrate
from monitor.store.db import Database
from monitor.store.sources import sync_sources

ITEMS_PER_FEED = 200
FEEDS = 10
TEXTS = [
    "Al drie dagen geen stroom en Stroomlijn neemt de telefoon niet op!",
    "Hoe kan ik bij Stroomlijn mijn termijnbedrag aanpassen?",
    "Journalist here: could Stroomlijn comment on the outage before 5pm?",
    "Top geholpen door de monteur van Stroomlijn, dank jullie wel",
    "Stroomlijn opent een nieuw zonnepark in Drenthe",
]


VOCABULARY = [
    "vandaag",
    "gisteren",
    "morgen",
    "weer",
    "nog",
    "steeds",
    "helemaal",
    "niet",
    "wel",
    "echt",
    "heel",
    "erg",
    "snel",
    "traag",
    "klant",
    "factuur",
    "meter",
    "monteur",
    "wijk",
    "straat",
    "stad",
    "app",
    "website",
    "telefoon",
    "chat",
    "mail",
    "brief",
    "contract",
    "tarief",
    "prijs",
    "korting",
    "storing",
    "stroom",
    "gas",
    "zonnepanelen",
    "laadpaal",
    "warmtepomp",
    "bedrag",
    "maand",
    "week",
    "uur",
    "minuten",
    "wachten",
    "bellen",
    "antwoord",
    "reactie",
    "hulp",
    "service",
    "team",
    "collega",
    "buren",
    "huis",
]


def _text(rng: random.Random, template: str) -> str:
    # Random words make every post its own story, as in a real feed.
    return template + " " + " ".join(rng.choice(VOCABULARY) for _ in range(25))


def _feed(number: int) -> bytes:
    rng = random.Random(number)
    items = "".join(
        f"<item><title>Bericht {number}-{i}</title><link>https://example.org/{number}/{i}</link>"
        f"<guid>{number}-{i}</guid>"
        f"<description>{escape('<p>' + _text(rng, TEXTS[i % 5]) + '</p>')}</description>"
        f"<pubDate>Mon, 23 Nov 2026 10:00:00 GMT</pubDate></item>"
        for i in range(ITEMS_PER_FEED)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>{items}</channel></rss>'
    ).encode()


def run() -> list[tuple[str, str]]:
    documents = [_feed(n) for n in range(FEEDS)]
    total = FEEDS * ITEMS_PER_FEED
    started = time.perf_counter()
    for document in documents:
        feedparser.parse(io.BytesIO(document))
    raw = total / (time.perf_counter() - started)

    with tempfile.TemporaryDirectory() as folder:
        settings = settings_from_mapping({
            "database": {"url": f"sqlite:///{Path(folder) / 'bench.db'}"},
            "brands": [{"name": "Stroomlijn", "query": "stroomlijn"}],
            "sources": [{"name": "bench", "url": "https://example.org/feed"}],
        })  # fmt: skip
        db = Database(settings.database.url)
        migrate.upgrade(db)
        with db.write() as session:
            sync_sources(session, settings)
        models = ModelProvider(db)
        models.get()  # train and load outside the timed part
        ingestor = Ingestor(settings, db, models)
        started = time.perf_counter()
        new = 0
        for document in documents:
            items = parse_feed(document, url="https://example.org/feed")
            new += ingestor.ingest(source_id=1, source_name="bench", items=items).new
        ours = total / (time.perf_counter() - started)
        assert new == total, f"expected {total} new mentions, stored {new}"
        db.dispose()
    return [
        ("feedparser.parse alone (items/s)", f"{raw:,.0f}"),
        ("full ingest to SQLite (items/s)", f"{ours:,.0f}"),
        ("ingest / raw feedparser rate", f"{ours / raw:.2f}x"),
    ]
