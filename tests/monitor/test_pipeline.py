"""Items become mentions once: matched to a brand, deduplicated, classified, routed and stored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from monitor.classify import ModelProvider
from monitor.config import Settings
from monitor.dedup import assign_keys
from monitor.matching import match_items, rules_for
from monitor.pipeline import Ingestor
from monitor.sources.base import Item
from monitor.store.db import Database
from monitor.store.models import Classification, Event, Mention, Source
from tests.conftest import make_settings


def _item(text: str, *, url: str | None = None, guid: str | None = None, title: str = "") -> Item:
    return Item(source_item_id=guid, url=url, title=title, text=text)


def test_only_items_that_match_a_brand_query_go_on() -> None:
    rules = rules_for(make_settings("sqlite://"), "any")
    items = [
        _item("Storing bij Stroomlijn, weer geen stroom"),
        _item("Ons proces is helemaal gestroomlijnd"),
        _item("Stroomlijn Architecten wint een prijs"),
        _item("Nice", title="Stroomlijn-app works again"),
    ]
    outcome = match_items(items, rules)
    assert [m.item for m in outcome.matched] == [items[0], items[3]]
    assert outcome.unmatched == [items[1], items[2]]
    assert [(h.field, h.term) for h in outcome.matched[1].hits] == [("title", "stroomlijn")]


def test_batch_repeats_collapse_but_shared_home_page_links_do_not() -> None:
    rules = rules_for(make_settings("sqlite://"), "any")
    same_article = [
        _item("Stroomlijn verhoogt tarieven", url="https://news.example/a?utm_source=x"),
        _item("Stroomlijn verhoogt tarieven", url="https://NEWS.example/a/"),
    ]
    home_page = [
        _item("Stroomlijn storing in Emmen", url="https://blog.example/", guid="1"),
        _item("Stroomlijn opent laadplein", url="https://blog.example/", guid="2"),
    ]
    assert len(assign_keys(match_items(same_article, rules).matched, "s")) == 1
    assert len(assign_keys(match_items(home_page, rules).matched, "s")) == 2


def _ingestor(db: Database, settings: Settings) -> Ingestor:
    return Ingestor(settings, db, ModelProvider(db))


def _source_id(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(Source.id)) or 0)


def test_ingest_classifies_routes_and_logs_each_new_mention(
    db: Database, settings_for: Callable[..., Settings]
) -> None:
    settings = settings_for(
        [{"name": "s", "url": "https://example.org/f"}], routing={"question": "customer_service"}
    )
    items = [
        _item("Hoe kan ik bij Stroomlijn mijn termijnbedrag aanpassen in de app?", guid="q"),
        _item(
            "Ik ben verslaggever bij Het Zuiderblad en zoek een reactie van Stroomlijn op de "
            "storing, graag voor 16.00 uur vandaag.",
            guid="j",
        ),
        _item("Gestroomlijnde processen zijn fijn", guid="noise"),
    ]
    report = _ingestor(db, settings).ingest(source_id=_source_id(db), source_name="s", items=items)
    assert (report.received, report.matched, report.new, report.duplicates) == (3, 2, 2, 0)
    with db.read() as session:
        mentions = {m.source_item_id: m for m in session.scalars(select(Mention))}
        assert mentions["q"].category == "question"
        assert mentions["q"].team == "customer_service"  # the [routing] override
        assert mentions["j"].category == "journalist_inquiry"
        assert mentions["j"].team == "spokesperson"
        assert mentions["j"].language == "nl"
        assert mentions["j"].priority > mentions["q"].priority
        assert mentions["j"].deadline_at is not None
        assert mentions["j"].deadline_at.astimezone(settings.locale.zone).hour == 16
        assert "16.00" in (mentions["j"].deadline_phrase or "")
        assert mentions["q"].deadline_at is None
        assert mentions["q"].matched[0]["term"] == "stroomlijn"
        assert session.scalar(select(func.count(Classification.id))) == 2
        events = list(session.scalars(select(Event).where(Event.kind == "mention.collected")))
        assert {e.data["team"] for e in events} == {"customer_service", "spokesperson"}
        assert all("routing_reason" in e.data for e in events)


def test_ingesting_the_same_items_again_adds_nothing(
    db: Database, settings_for: Callable[..., Settings]
) -> None:
    settings = settings_for([{"name": "s", "url": "https://example.org/f"}])
    items = [_item(f"Stroomlijn bericht nummer {i}", guid=str(i)) for i in range(5)]
    ingestor = _ingestor(db, settings)
    first = ingestor.ingest(source_id=_source_id(db), source_name="s", items=items)
    second = ingestor.ingest(source_id=_source_id(db), source_name="s", items=items)
    assert (first.new, second.new, second.duplicates) == (5, 0, 5)
    with db.read() as session:
        assert session.scalar(select(func.count(Mention.id))) == 5


def test_a_published_time_in_the_future_is_clamped_to_now(
    db: Database, settings_for: Callable[..., Settings]
) -> None:
    settings = settings_for([{"name": "s", "url": "https://example.org/f"}])
    future = datetime.now(UTC) + timedelta(days=365)
    item = Item(source_item_id="x", url=None, title="", text="Stroomlijn!", published_at=future)
    _ingestor(db, settings).ingest(source_id=_source_id(db), source_name="s", items=[item])
    with db.read() as session:
        mention = session.scalar(select(Mention))
        assert mention is not None and mention.published_at <= datetime.now(UTC)


def test_low_confidence_is_flagged_for_review(
    db: Database, settings_for: Callable[..., Settings]
) -> None:
    settings = settings_for(
        [{"name": "s", "url": "https://example.org/f"}], classifier={"review_threshold": 1.0}
    )
    _ingestor(db, settings).ingest(
        source_id=_source_id(db), source_name="s", items=[_item("Stroomlijn", guid="1")]
    )
    with db.read() as session:
        mention = session.scalar(select(Mention))
        assert mention is not None and mention.needs_review


def test_queries_can_use_the_detected_language_the_author_and_the_site(
    db: Database, settings_for: Callable[..., Settings]
) -> None:
    settings = settings_for(
        [{"name": "s", "url": "https://example.org/f",
          "query": "(stroomlijn lang:en) OR author:verslaggever OR site:pers.example"}]
    )  # fmt: skip
    items = [
        Item("en", None, "", "Stroomlijn customer service kept me waiting for an hour today"),
        Item("nl", None, "", "Stroomlijn klantenservice liet me vandaag een uur wachten"),
        Item("author", None, "", "Graag een reactie", author="Anne de Verslaggever"),
        Item("site", "https://www.pers.example/bericht", "", "Persbericht over de sector"),
    ]
    report = _ingestor(db, settings).ingest(source_id=_source_id(db), source_name="s", items=items)
    assert report.new == 3
    with db.read() as session:
        stored = {m.source_item_id: m for m in session.scalars(select(Mention))}
    assert set(stored) == {"en", "author", "site"}
    assert stored["en"].language == "en"
    assert [h["field"] for h in stored["author"].matched] == ["author"]


def test_routing_can_depend_on_the_detected_language(
    db: Database, settings_for: Callable[..., Settings]
) -> None:
    settings = settings_for(
        [{"name": "s", "url": "https://example.org/f"}],
        routing={"complaint": "customer_service", "language": {"en": {"complaint": "webcare"}}},
    )
    items = [
        _item(
            "Stroomlijn charged me twice this month and nobody answers. Terrible service!",
            guid="en",
        ),
        _item(
            "Al drie dagen geen stroom en Stroomlijn neemt de telefoon niet op. Belachelijk!",
            guid="nl",
        ),
    ]
    _ingestor(db, settings).ingest(source_id=_source_id(db), source_name="s", items=items)
    with db.read() as session:
        teams = {m.source_item_id: (m.category, m.team) for m in session.scalars(select(Mention))}
        reasons = {e.data["team"]: e.data["routing_reason"] for e in session.scalars(select(Event))}
    assert teams == {"en": ("complaint", "webcare"), "nl": ("complaint", "customer_service")}
    assert "goes to webcare ([routing.language.en] complaint)" in reasons["webcare"]


def test_pictures_that_come_with_items_are_stored_once_with_their_mention(
    db: Database, settings_for: Callable[..., Settings]
) -> None:
    from monitor.sources.base import Image
    from monitor.store.attachments import attachment, attachments_of
    from tests.monitor.test_images import png

    settings = settings_for([{"name": "s", "url": "https://example.org/f"},
                             {"name": "t", "url": "https://example.org/g"}])  # fmt: skip
    with db.read() as session:
        ids = {s.name: s.id for s in session.scalars(select(Source))}
    shot = Image("screenshot.png", "image/png", png())
    other = Image("tweede.png", "image/png", png(3, 1))
    first = Item("m1", "https://x.example/status/1", "", "Storing bij Stroomlijn", images=(shot,))
    again = Item("m2", "https://x.example/status/1", "", "Storing bij Stroomlijn",
                 images=(shot, other))  # fmt: skip
    ingestor = _ingestor(db, settings)
    report = ingestor.ingest(source_id=ids["s"], source_name="s", items=[first])
    # The same post from elsewhere, with one more picture.
    ingestor.ingest(source_id=ids["t"], source_name="t", items=[again])
    mention_id = report.mentions[0]
    with db.read() as session:
        stored = attachments_of(session, mention_id)
        assert [(a.filename, a.size) for a in stored] == [
            ("screenshot.png", len(shot.data)), ("tweede.png", len(other.data)),
        ]  # fmt: skip
        whole = attachment(session, mention_id, stored[0].id)
        assert whole is not None and whole.data == shot.data
        assert attachment(session, mention_id + 1, stored[0].id) is None


def test_a_source_added_on_the_page_matches_with_its_own_query_in_running_workers(
    db: Database, settings_for: Callable[..., Settings]
) -> None:
    from monitor.store.sources import add_page_source, edit_page_source

    settings = settings_for([{"name": "s", "url": "https://example.org/f"}])
    ingestor = _ingestor(db, settings)
    ingestor.blocks_recheck = 0  # look at the sources table before each batch
    with db.write() as session:
        given = {"name": "forum", "url": "https://f.example/x", "query": "*", "reach": "high"}
        forum = add_page_source(session, settings, given, actor="admin", user_id=None)
        forum_id = forum.id
    # A post that names no brand: only the forum's own query ("*") takes it.
    unnamed = _item("Al drie dagen geen stroom in de Vogelwijk, belachelijk.", guid="f1")
    report = ingestor.ingest(source_id=forum_id, source_name="forum", items=[unnamed])
    assert report.new == 1
    with db.read() as session:
        mention = session.get(Mention, report.mentions[0])
        assert mention is not None and mention.brand == "Stroomlijn Energie"
    with db.write() as session:
        edit_page_source(session, settings, forum_id, {"url": "https://f.example/x"},
                         actor="admin", user_id=None)  # fmt: skip
    # Without its own query, the brand's applies again.
    later = _item("Weer geen stroom in de Vogelwijk.", guid="f2")
    assert ingestor.ingest(source_id=forum_id, source_name="forum", items=[later]).new == 0
