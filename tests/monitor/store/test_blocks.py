"""What agents mark as spam or irrelevant feeds the blocklists: the next such item stays out, and
the new mentions it would have kept out can be closed at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from monitor.classify import ModelProvider
from monitor.config import Settings
from monitor.errors import WebcareError
from monitor.pipeline import Ingestor
from monitor.sources.base import Item
from monitor.store import blocks
from monitor.store.db import Database
from monitor.store.events import mention_history
from monitor.store.mentions import change_status, insert_new
from monitor.store.models import Block, Event, Mention, Source
from monitor.store.users import add_user, get_user
from tests.monitor.store.test_mentions import _row


@pytest.fixture
def ingest(db: Database, settings_for: Callable[..., Settings]) -> Callable[..., Any]:
    settings = settings_for([{"name": "s", "url": "https://feeds.example/f"}])
    ingestor = Ingestor(settings, db, ModelProvider(db))
    ingestor.blocks_recheck = 0  # ask the database before every batch

    def run(*items: Item) -> Any:
        with db.read() as session:
            source_id = int(session.scalar(select(Source.id)) or 0)
        return ingestor.ingest(source_id=source_id, source_name="s", items=list(items))

    return run


def _item(text: str, guid: str, *, author: str = "", url: str | None = None) -> Item:
    return Item(source_item_id=guid, url=url, title="", text=text, author=author)


def _brands(db: Database) -> dict[str, str]:
    with db.read() as session:
        return {m.source_item_id or "": m.status for m in session.scalars(select(Mention))}


@pytest.mark.parametrize(
    ("kind", "value", "stored"),
    [
        ("author", " @Klant_Spam ", "klant_spam"),
        ("site", "https://www.Spam.example/win?x=1", "spam.example"),
        ("site", "promo.spam.example", "promo.spam.example"),
        ("phrase", "Stroomlijn  Architecten!", "stroomlijn architecten"),
        ("phrase", "Énergie", "energie"),
    ],
)
def test_entries_are_stored_in_the_spelling_they_are_compared_in(
    kind: str, value: str, stored: str
) -> None:
    assert blocks.normalise(kind, value) == stored


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("author", "  ", "cannot be empty"),
        ("author", "@", "needs a name"),
        ("site", "localhost", "not a site"),
        ("phrase", "!!", "needs letters or digits"),
        ("phrase", "ab", "too short"),
        ("phrase", "een twee drie vier vijf zes zeven acht negen", "at most 8 words"),
        ("word", "x", "unknown kind of block"),
    ],
)
def test_entries_that_cannot_block_anything_are_refused_with_a_reason(
    kind: str, value: str, message: str
) -> None:
    with pytest.raises(WebcareError, match=message):
        blocks.normalise(kind, value)


def test_adding_an_entry_twice_keeps_one_and_authors_are_blocked_for_every_brand(
    db: Database,
) -> None:
    with db.write() as session:
        first, new = blocks.add_block(
            session, "author", "@Spammer", by=None, reason="spam", brand="Stroomlijn Energie"
        )
        again, new_again = blocks.add_block(session, "author", "spammer", by=None, reason="spam")
    assert (new, new_again, first.id == again.id, first.brand) == (True, False, True, "*")
    with db.read() as session:
        kinds = [e.kind for e in session.scalars(select(Event).where(Event.kind.like("block.%")))]
    assert kinds == ["block.added"]


def test_a_blocked_author_or_site_stays_out_of_the_next_batch_until_the_entry_is_removed(
    db: Database, ingest: Callable[..., Any]
) -> None:
    report = ingest(_item("Stroomlijn gratis iPhone, klik hier", "1", author="@promo"))
    assert (report.new, report.blocked) == (1, 0)
    with db.write() as session:
        author, _ = blocks.add_block(session, "author", "promo", by=None, reason="spam")
        blocks.add_block(session, "site", "win.example", by=None, reason="spam")
    report = ingest(
        _item("Stroomlijn gratis iPad, klik hier", "2", author="Promo"),
        _item("Stroomlijn prijzen", "3", url="https://shop.win.example/p"),
        _item("Stroomlijn storing in Emmen", "4", author="anne"),
    )
    assert (report.new, report.blocked) == (1, 2)
    with db.write() as session:
        blocks.remove_block(session, author.id, by=None)
    assert ingest(_item("Stroomlijn gratis laptop", "5", author="promo")).new == 1
    assert set(_brands(db)) == {"1", "4", "5"}


def test_an_irrelevant_phrase_is_excluded_from_the_brand_query(
    db: Database, ingest: Callable[..., Any]
) -> None:
    with db.write() as session:
        blocks.add_block(session, "phrase", "Stroomlijn Architecten", by=None,
                         reason="irrelevant", brand="Stroomlijn Energie")  # fmt: skip
        blocks.add_block(session, "phrase", "stroomlijn", by=None, reason="irrelevant",
                         brand="Another Brand")  # fmt: skip
    report = ingest(
        _item("Stroomlijn Architecten wint een prijs voor het stadhuis", "arch"),
        _item("Storing bij Stroomlijn in heel Groningen", "storing"),
        _item("Architecten klagen: Stroomlijn rekent te veel", "apart"),
    )
    # The phrase excludes only where its words stand together; the other brand's entry does
    # not touch this brand.
    assert report.new == 2
    assert set(_brands(db)) == {"storing", "apart"}


def test_a_phrase_for_every_brand_excludes_it_everywhere(
    db: Database, ingest: Callable[..., Any]
) -> None:
    with db.write() as session:
        blocks.add_block(session, "phrase", "stroomlijn architecten", by=None, reason="manual")
    assert ingest(_item("Stroomlijn Architecten bouwt", "a")).new == 0


@pytest.fixture
def people(db: Database, settings_for: Callable[..., Settings]) -> int:
    settings_for([{"name": "s", "url": "https://feeds.example/f"}])
    with db.write() as session:
        add_user(session, "anne", role="agent", teams=["webcare"], password="x" * 12)
        return int(session.scalar(select(Source.id)) or 0)


def _store(db: Database, source_id: int, *rows: dict[str, Any]) -> dict[str, int]:
    with db.write() as session:
        return insert_new(session, [_row(source_id, **row) for row in rows])


def test_blocking_an_author_closes_their_new_mentions_as_spam_and_leaves_worked_ones(
    db: Database, people: int
) -> None:
    ids = _store(
        db,
        people,
        {"key": "marked", "author": "@promo"},
        {"key": "other", "author": "PROMO"},
        {"key": "worked", "author": "promo", "status": "in_progress"},
        {"key": "someone", "author": "anne"},
    )
    with db.write() as session:
        anne = get_user(session, "anne")
        change_status(session, ids["marked"], "spam", anne)
        block, _ = blocks.add_block(session, "author", "@promo", by=anne, reason="spam",
                                    mention_id=ids["marked"])  # fmt: skip
        closed = blocks.sweep(session, block, by=anne)
    assert closed == [ids["other"]]
    with db.read() as session:
        statuses = {k: session.get(Mention, i).status for k, i in ids.items()}  # type: ignore[union-attr]
        history = [(e.kind, e.actor) for e in mention_history(session, ids["other"])]
    assert statuses == {"marked": "spam", "other": "spam", "worked": "in_progress",
                        "someone": "new"}  # fmt: skip
    assert history == [("mention.status_changed", "anne")]


def test_an_irrelevant_phrase_dismisses_the_brands_new_mentions_that_hold_it(
    db: Database, people: int
) -> None:
    ids = _store(
        db,
        people,
        {"key": "a", "text": "Stroomlijn Architecten bouwt een school"},
        {"key": "b", "text": "STROOMLIJN ARCHITECTEN opent kantoor"},
        {"key": "c", "text": "Stroomlijn rekent architecten te veel"},
        {"key": "d", "text": "Stroomlijn Architecten", "brand": "Other"},
    )
    with db.write() as session:
        block, _ = blocks.add_block(
            session, "phrase", "stroomlijn architecten", by=None, reason="irrelevant",
            brand="B", mention_id=ids["a"],
        )  # fmt: skip
        closed = blocks.sweep(session, block, by=None)
    assert closed == [ids["b"]]
    with db.read() as session:
        assert session.get(Mention, ids["b"]).status == "dismissed"  # type: ignore[union-attr]


def test_the_sweep_finds_a_phrase_written_with_accents_or_in_capitals(
    db: Database, people: int
) -> None:
    ids = _store(
        db,
        people,
        {"key": "plain", "text": "Stroomlijn énergie verte: de café-actie"},
        {"key": "capitals", "text": "STROOMLIJN ÉNERGIE VERTE"},
        {"key": "other", "text": "Stroomlijn energie is duur"},
    )
    with db.write() as session:
        block, _ = blocks.add_block(session, "phrase", "Énergie Verte", by=None,
                                    reason="irrelevant", brand="B")  # fmt: skip
        closed = blocks.sweep(session, block, by=None)
    assert sorted(closed) == sorted([ids["plain"], ids["capitals"]])


@pytest.mark.parametrize(
    ("word", "pattern"),
    [("energie", "___rg__"), ("verte", "v_rt_"), ("opt_in", "_pt\\___")],
)
def test_the_sweeps_first_cut_lets_any_accented_letter_through(word: str, pattern: str) -> None:
    assert blocks.like_any_accent(word) == pattern


def test_authors_and_sites_marked_as_spam_twice_are_suggested_until_blocked(
    db: Database, people: int
) -> None:
    ids = _store(
        db,
        people,
        {"key": "1", "author": "@promo", "url": "https://win.example/1"},
        {"key": "2", "author": "Promo", "url": "https://www.win.example/2"},
        {"key": "3", "author": "once", "url": "https://once.example/3"},
        {"key": "4", "author": "promo", "url": "https://win.example/4"},
    )
    with db.write() as session:
        for key in ("1", "2", "3"):
            change_status(session, ids[key], "spam", None)
        found = blocks.spam_suggestions(session)
    assert [(s.kind, s.value, s.marks) for s in found] == [
        ("author", "promo", 2),
        ("site", "win.example", 2),
    ]
    with db.write() as session:
        blocks.add_block(session, "author", "promo", by=None, reason="spam")
        assert [s.value for s in blocks.spam_suggestions(session)] == ["win.example"]


def test_phrases_to_exclude_are_suggested_around_the_words_that_matched(
    db: Database, people: int
) -> None:
    text = "Gisteren won Stroomlijn Architecten de prijs"
    start = text.index("Stroomlijn")
    hit = {"term": "stroomlijn", "field": "text", "start": start, "end": start + 10}
    ids = _store(db, people, {"key": "x", "text": text, "matched": [hit, {"field": "text"}]})
    with db.read() as session:
        mention = session.get(Mention, ids["x"])
        assert mention is not None
        assert blocks.phrase_suggestions(mention) == [
            "stroomlijn architecten",
            "won stroomlijn",
        ]


def test_only_sites_other_than_the_platform_itself_are_offered_for_blocking(
    db: Database, settings_for: Callable[..., Settings]
) -> None:
    settings_for([
        {"name": "news", "url": "https://feeds.example/f"},
        {"name": "r", "type": "reddit", "url": "https://www.reddit.com/r/x/new.json"},
    ])  # fmt: skip
    with db.read() as session:
        sources = {s.name: s.id for s in session.scalars(select(Source))}
    ids = _store(
        db,
        sources["news"],
        {"key": "n", "author": "@Promo", "url": "https://www.win.example/a"},
        {"key": "own", "author": "", "url": "https://feeds.example/item"},
    )
    ids |= _store(db, sources["r"], {"key": "r", "author": "u/promo",
                                      "url": "https://www.reddit.com/r/x/1"})  # fmt: skip
    with db.read() as session:
        offered = {k: blocks.what_to_block(session.get(Mention, i)) for k, i in ids.items()}  # type: ignore[arg-type]
    assert offered == {
        "n": {"author": "promo", "site": "win.example"},
        "own": {},
        "r": {"author": "u/promo"},
    }


def test_a_dismissal_as_irrelevant_says_so_in_the_history(db: Database, people: int) -> None:
    ids = _store(db, people, {"key": "x"})
    with db.write() as session:
        change_status(session, ids["x"], "dismissed", None, reason="irrelevant")
    with db.read() as session:
        (event,) = mention_history(session, ids["x"])
    assert event.data == {"from": "new", "to": "dismissed", "reason": "irrelevant"}


def test_the_version_changes_with_every_addition_and_removal(db: Database) -> None:
    with db.write() as session:
        empty = blocks.version(session)
        block, _ = blocks.add_block(session, "site", "a.example", by=None)
        added = blocks.version(session)
        blocks.remove_block(session, block.id, by=None)
        blocks.add_block(session, "site", "b.example", by=None)
        swapped = blocks.version(session)
        assert session.scalar(select(Block.value)) == "b.example"
    assert len({empty, added, swapped}) == 3
