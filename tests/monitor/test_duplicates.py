"""One item per story: exact duplicates across sources and syndicated near-duplicates become
sightings of one mention, so an agent handles each story once."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from monitor.classify import ModelProvider
from monitor.config import Settings
from monitor.pipeline import Ingestor, IngestReport
from monitor.sources.base import Item
from monitor.store.db import Database
from monitor.store.models import Mention, Sighting, Source, UnmatchedItem
from monitor.store.sightings import list_sightings

ARTICLE = (
    "Energieleverancier Stroomlijn verhoogt per 1 januari de vaste leveringskosten voor alle "
    "klanten met een variabel contract. Volgens het bedrijf zijn de hogere netbeheerkosten de "
    "oorzaak. Consumentenorganisaties noemen de stap onnodig en roepen klanten op hun "
    "termijnbedrag te controleren."
)
SYNDICATED = (
    "Energieleverancier Stroomlijn verhoogt per 1 januari de vaste leveringskosten voor alle "
    "klanten met een variabel contract! Volgens het bedrijf zijn de hogere netbeheerkosten de "
    "oorzaak. Consumentenorganisaties noemen de stap onnodig en roepen klanten op hun "
    "termijnbedrag te controleren. Lees verder op regionieuws.example"
)
OTHER_STORY = (
    "Stroomlijn opent in Drenthe een zonnepark van veertig hectare dat stroom levert aan "
    "twaalfduizend huishoudens. De bouw begon vorig voorjaar en liep door de natte winter "
    "enkele maanden vertraging op, meldt het bedrijf."
)


@pytest.fixture
def sources(settings_for: Callable[..., Settings]) -> Settings:
    return settings_for(
        [
            {"name": "news-a", "url": "https://a.example/feed"},
            {"name": "news-b", "url": "https://b.example/feed"},
            {"name": "own", "url": "https://own.example/feed", "query": "*",
             "block_authors": ["@SpamBot"]},
        ],
        blocklist={"domains": ["stroomlijn.example"], "authors": ["@StroomlijnNL"]},
    )  # fmt: skip


def _ingest(db: Database, settings: Settings, source: str, *items: Item) -> IngestReport:
    with db.read() as session:
        source_id = session.scalar(select(Source.id).where(Source.name == source))
    assert source_id is not None
    return Ingestor(settings, db, ModelProvider(db)).ingest(
        source_id=source_id, source_name=source, items=list(items)
    )


def _mentions(db: Database) -> list[Mention]:
    with db.read() as session:
        return list(session.scalars(select(Mention).order_by(Mention.id)))


def test_the_same_url_from_two_sources_is_one_mention_with_two_sightings(
    db: Database, sources: Settings
) -> None:
    first = Item("a1", "https://news.example/artikel?utm_source=a", "Tarieven omhoog", ARTICLE)
    again = Item("b7", "https://www.news.example/artikel/", "Tarieven omhoog", ARTICLE)
    assert _ingest(db, sources, "news-a", first).new == 1
    report = _ingest(db, sources, "news-b", again)
    assert (report.new, report.duplicates) == (0, 1)
    [mention] = _mentions(db)
    assert mention.sightings_count == 2
    with db.read() as session:
        kinds = [(s.source.name, s.kind) for s in list_sightings(session, mention.id)]
    assert kinds == [("news-a", "first"), ("news-b", "exact")]


def test_fetching_the_same_feed_again_adds_no_sightings(db: Database, sources: Settings) -> None:
    item = Item("a1", "https://news.example/1", "Tarieven", ARTICLE)
    for _ in range(3):
        _ingest(db, sources, "news-a", item)
    [mention] = _mentions(db)
    assert mention.sightings_count == 1


def test_the_same_long_text_without_links_is_one_mention(db: Database, sources: Settings) -> None:
    _ingest(db, sources, "news-a", Item("x", None, "", ARTICLE))
    _ingest(db, sources, "news-b", Item("y", None, "", ARTICLE.upper()))
    assert len(_mentions(db)) == 1


def test_the_same_short_text_from_different_people_stays_two_posts(
    db: Database, sources: Settings
) -> None:
    _ingest(db, sources, "news-a", Item("x", None, "", "Storing bij Stroomlijn?", author="an"))
    _ingest(db, sources, "news-b", Item("y", None, "", "Storing bij Stroomlijn?", author="bo"))
    assert len(_mentions(db)) == 2


def test_a_syndicated_copy_with_small_edits_joins_the_story(
    db: Database, sources: Settings
) -> None:
    _ingest(db, sources, "news-a", Item("a1", "https://a.example/1", "Stroomlijn duurder", ARTICLE))
    report = _ingest(
        db,
        sources,
        "news-b",
        Item("b1", "https://b.example/x", "Stroomlijn wordt duurder", SYNDICATED),
    )
    assert (report.new, report.near_duplicates) == (0, 1)
    [mention] = _mentions(db)
    assert mention.sightings_count == 2
    with db.read() as session:
        near = session.scalar(select(Sighting).where(Sighting.kind == "near"))
    assert near is not None and near.url == "https://b.example/x" and (near.similarity or 0) >= 0.5


def test_near_duplicates_within_one_batch_are_one_story(db: Database, sources: Settings) -> None:
    report = _ingest(
        db, sources, "news-a",
        Item("1", "https://a.example/1", "", ARTICLE),
        Item("2", "https://a.example/2", "", SYNDICATED),
        Item("3", "https://a.example/3", "", OTHER_STORY),
    )  # fmt: skip
    assert (report.new, report.near_duplicates) == (2, 1)
    counts = sorted(m.sightings_count for m in _mentions(db))
    assert counts == [1, 2]


def test_different_stories_about_the_brand_stay_apart(db: Database, sources: Settings) -> None:
    _ingest(db, sources, "news-a", Item("1", "https://a.example/1", "", ARTICLE))
    _ingest(db, sources, "news-b", Item("2", "https://b.example/2", "", OTHER_STORY))
    assert len(_mentions(db)) == 2


def test_blocklisted_sites_and_authors_are_dropped_before_matching(
    db: Database, sources: Settings
) -> None:
    report = _ingest(
        db, sources, "own",
        Item("1", "https://nieuws.stroomlijn.example/p", "", "Stroomlijn meldt: alles werkt"),
        Item("2", "https://social.example/2", "", "Stroomlijn helpt graag", author="stroomlijnnl"),
        Item("3", "https://social.example/3", "", "Koop nu!!!", author="SpamBot"),
        Item("4", "https://social.example/4", "", "Iets heel anders, zonder merknaam"),
    )  # fmt: skip
    assert (report.blocked, report.matched, report.new) == (3, 1, 1)
    [mention] = _mentions(db)
    assert mention.source_item_id == "4"  # the source's own query "*" matched it


def test_unmatched_items_are_kept_as_a_bounded_sample(
    db: Database, settings_for: Callable[..., Settings]
) -> None:
    settings = settings_for([{"name": "news-a", "url": "https://a.example/feed"}],
                            dedup={"unmatched_sample": 10})  # fmt: skip
    for batch in range(4):
        items = [
            Item(f"{batch}-{i}", None, "", f"Los bericht {batch} nummer {i}") for i in range(5)
        ]
        _ingest(db, settings, "news-a", *items)
    with db.read() as session:
        kept = session.scalar(select(func.count(UnmatchedItem.id)))
        newest = session.scalar(select(UnmatchedItem.text).order_by(UnmatchedItem.id.desc()))
    assert kept is not None and 10 <= kept <= 12
    assert newest == "Los bericht 3 nummer 4"


def test_story_bands_older_than_the_window_are_forgotten(db: Database, sources: Settings) -> None:
    from datetime import timedelta

    from monitor.store.models import StoryBand, utcnow
    from monitor.store.sightings import forget_old_bands

    _ingest(db, sources, "news-a", Item("1", "https://a.example/1", "", ARTICLE))
    with db.write() as session:
        assert forget_old_bands(session, utcnow() - timedelta(days=1)) == 0
        assert forget_old_bands(session, utcnow() + timedelta(seconds=1)) > 0
        assert session.scalar(select(func.count(StoryBand.band_key))) == 0
    copy = _ingest(db, sources, "news-b", Item("2", "https://b.example/2", "", SYNDICATED))
    assert copy.new == 1  # outside the window, a copy starts a new story


def test_a_feed_fetched_again_unchanged_writes_nothing(db: Database, sources: Settings) -> None:
    from sqlalchemy import event

    items = [
        Item("a1", "https://a.example/1", "Stroomlijn duurder", ARTICLE),
        Item("a2", "https://a.example/2", "", "Een bericht zonder de merknaam erin"),
    ]
    _ingest(db, sources, "news-a", *items)
    _ingest(db, sources, "news-b", Item("b1", "https://b.example/x", "Kopie", SYNDICATED))
    writes: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            writes.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        again = _ingest(db, sources, "news-a", *items)
        copy_again = _ingest(
            db, sources, "news-b", Item("b1", "https://b.example/x", "Kopie", SYNDICATED)
        )
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert writes == []
    assert (again.new, again.duplicates) == (0, 1)
    # Delivered by this source before: already known, whatever it was the first time.
    assert (copy_again.new, copy_again.duplicates, copy_again.near_duplicates) == (0, 1, 0)
    [mention] = _mentions(db)
    assert mention.sightings_count == 2
