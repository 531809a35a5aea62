"""JSON Feed 1.0/1.1: items become bounded plain text; anything else is a clear FetchError."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.errors import FetchError
from monitor.sources.base import Item
from monitor.sources.feed import parse_feed
from monitor.sources.jsonfeed import MAX_ITEMS, looks_like_json, parse_json_feed
from monitor.text import MAX_AUTHOR, MAX_TEXT, MAX_TITLE

FEED_URL = "https://reviews.example.org/feeds/reviews.json"
VERSION = "https://jsonfeed.org/version/1.1"


def feed(*items: Any, **top: Any) -> bytes:
    document = {"version": VERSION, "title": "Reviews", **top, "items": list(items)}
    return json.dumps(document).encode()


def parse(*items: Any, **top: Any) -> list[Item]:
    return parse_json_feed(feed(*items, **top), url=FEED_URL)


FULL_ITEM = {
    "id": "review-1",
    "url": "/reviews/1",
    "title": "Slechte <b>service</b>",
    "content_html": "<p>Drie weken <script>alert(1)</script>geen antwoord van Stroomlijn</p>",
    "content_text": "ignored when there is html",
    "date_published": "2024-05-06T08:30:00+02:00",
    "authors": [{"name": "Klant Een"}, {"name": "Klant Twee"}, {"url": "https://no.name/"}],
    "language": "nl-NL",
}


def test_a_json_feed_item_becomes_a_plain_text_item() -> None:
    [item] = parse(FULL_ITEM, language="en")
    assert item == Item(
        source_item_id="review-1",
        url="https://reviews.example.org/reviews/1",
        title="Slechte service",
        text="Drie weken geen antwoord van Stroomlijn",
        author="Klant Een, Klant Twee",
        published_at=datetime(2024, 5, 6, 6, 30, tzinfo=UTC),
        language_hint="nl",
    )


def test_parse_feed_recognises_json_feed_by_its_first_character() -> None:
    assert parse_feed(feed(FULL_ITEM), url=FEED_URL)[0].title == "Slechte service"


def test_parse_feed_recognises_json_feed_by_its_content_type() -> None:
    body = b"\n\n  " + feed(FULL_ITEM)
    items = parse_feed(body, url=FEED_URL, content_type="application/feed+json; charset=utf-8")
    assert items[0].title == "Slechte service"


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b'{"version": 1}', None, True),
        (b'\xef\xbb\xbf \n{"version": 1}', None, True),
        (b"<rss/>", "application/json", True),
        (b"<rss/>", "application/rss+xml", False),
        (b"[1, 2]", None, False),
        (b"", None, False),
    ],
)
def test_json_is_recognised_by_content_type_or_a_leading_brace(
    body: bytes, content_type: str | None, expected: bool
) -> None:
    assert looks_like_json(body, content_type) is expected


def test_a_json_feed_1_0_with_a_single_author_is_read() -> None:
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1",
            "author": {"name": "Redactie"},
            "items": [{"id": 7, "title": "Oud formaat", "summary": "samenvatting"}],
        }
    ).encode()
    [item] = parse_json_feed(body, url=FEED_URL)
    assert item.source_item_id == "7"
    assert item.author == "Redactie"
    assert item.text == "samenvatting"


def test_the_feed_authors_apply_when_the_item_has_none() -> None:
    [item] = parse({"title": "x"}, authors=[{"name": "Het Team"}])
    assert item.author == "Het Team"


def test_content_text_is_used_when_there_is_no_html() -> None:
    [item] = parse({"title": "x", "content_text": "Gewone tekst", "summary": "kort"})
    assert item.text == "Gewone tekst"


def test_the_summary_is_the_last_resort_for_text() -> None:
    [item] = parse({"title": "x", "summary": "alleen samenvatting"})
    assert item.text == "alleen samenvatting"


def test_an_external_url_is_used_when_there_is_no_url() -> None:
    [item] = parse({"title": "x", "external_url": "https://elsewhere.example.org/a"})
    assert item.url == "https://elsewhere.example.org/a"


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("/reviews/9", "https://reviews.example.org/reviews/9"),
        ("9", "https://reviews.example.org/feeds/9"),
        ("  https://reviews.example.org/x  ", "https://reviews.example.org/x"),
        ("javascript:alert(1)", None),
        ("http://[broken", None),
        (42, None),
    ],
)
def test_links_are_resolved_and_non_web_links_dropped(link: Any, expected: str | None) -> None:
    [item] = parse({"title": "x", "url": link})
    assert item.url == expected


def test_the_modified_date_is_used_when_there_is_no_published_date() -> None:
    [item] = parse({"title": "x", "date_modified": "2024-05-06T08:30:00Z"})
    assert item.published_at == datetime(2024, 5, 6, 8, 30, tzinfo=UTC)


def test_a_date_without_a_zone_is_taken_as_utc() -> None:
    [item] = parse({"title": "x", "date_published": "2024-05-06T08:30:00"})
    assert item.published_at == datetime(2024, 5, 6, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize("date", ["gisteren", 1714984200, "0001-01-01T00:00:00+05:00", ""])
def test_an_unusable_date_is_left_empty(date: Any) -> None:
    [item] = parse({"title": "x", "date_published": date})
    assert item.published_at is None


def test_the_feed_language_applies_when_the_item_has_none() -> None:
    [item] = parse({"title": "x"}, language="EN-gb")
    assert item.language_hint == "en"


def test_an_item_without_title_and_text_is_skipped() -> None:
    items = parse({"id": "empty", "url": "https://x.example/"}, {"title": "kept"})
    assert [item.title for item in items] == ["kept"]


def test_an_item_whose_html_is_only_a_script_is_skipped() -> None:
    assert parse({"content_html": "<script>alert(1)</script>"}) == []


def test_entries_that_are_not_objects_are_skipped() -> None:
    assert [i.title for i in parse("text", 5, None, [1], {"title": "kept"})] == ["kept"]


def test_an_empty_id_is_no_id() -> None:
    [item] = parse({"id": "", "title": "x"})
    assert item.source_item_id is None


def test_fields_of_the_wrong_type_are_ignored() -> None:
    [item] = parse(
        {
            "title": "x",
            "content_html": 5,
            "content_text": ["a"],
            "authors": 5,
            "author": "plain string",
            "language": 3,
            "url": {"href": "https://x.example/"},
        },
        authors="not a list",
        language=None,
    )
    assert item.text == ""
    assert item.author == ""
    assert item.url is None
    assert item.language_hint is None


def test_a_feed_with_too_many_items_is_cut_off() -> None:
    items = parse(*({"title": f"t{i}"} for i in range(MAX_ITEMS + 10)))
    assert len(items) == MAX_ITEMS


def test_huge_fields_are_bounded() -> None:
    big = "woord " * 100_000
    [item] = parse(
        {
            "id": "i" * 5_000,
            "url": "/" + "p" * 5_000,
            "title": big,
            "content_html": big,
            "authors": [{"name": big}],
        }
    )
    assert 0 < len(item.title) <= MAX_TITLE
    assert 0 < len(item.text) <= MAX_TEXT
    assert 0 < len(item.author) <= MAX_AUTHOR
    assert item.source_item_id is not None and len(item.source_item_id) <= 1000
    assert item.url is not None and len(item.url) <= 2000


def test_a_byte_order_mark_is_accepted() -> None:
    assert parse_json_feed(b"\xef\xbb\xbf" + feed({"title": "x"}), url=FEED_URL)[0].title == "x"


# --- not a feed -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not a feed: invalid JSON"),
        (b"\xff\xfe{}", "not a feed: invalid JSON"),
        (b'{"title": "no version"}', "not a feed: JSON without a jsonfeed.org version"),
        (b'{"version": 1.1, "items": []}', "not a feed: JSON without a jsonfeed.org version"),
        (b"[1, 2, 3]", "not a feed: JSON without a jsonfeed.org version"),
        (
            b'{"version": "https://jsonfeed.org/version/1.1"}',
            "not a feed: JSON Feed without an items list",
        ),
        (
            b'{"version": "https://jsonfeed.org/version/1.1", "items": {}}',
            "not a feed: JSON Feed without an items list",
        ),
    ],
)
def test_json_that_is_not_a_json_feed_is_refused(body: bytes, message: str) -> None:
    with pytest.raises(FetchError) as caught:
        parse_json_feed(body, url=FEED_URL)
    assert str(caught.value).startswith(message)
    assert len(str(caught.value)) <= 300


def test_hostile_nesting_is_refused_as_invalid_json() -> None:
    body = b'{"version": "https://jsonfeed.org/version/1.1", "items": ' + b"[" * 100_000
    body += b"]" * 100_000 + b"}"
    with pytest.raises(FetchError, match="invalid JSON"):
        parse_json_feed(body, url=FEED_URL)


def test_a_number_too_long_to_convert_is_refused_as_invalid_json() -> None:
    body = b'{"version": "https://jsonfeed.org/version/1.1", "items": [], "n": ' + b"9" * 5_000
    with pytest.raises(FetchError, match="invalid JSON"):
        parse_json_feed(body + b"}", url=FEED_URL)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)
_KEYS = st.sampled_from(
    [
        "id",
        "url",
        "external_url",
        "title",
        "content_html",
        "content_text",
        "summary",
        "date_published",
        "date_modified",
        "authors",
        "author",
        "language",
    ]
)
_ITEMS = st.lists(st.dictionaries(_KEYS, _JSON | st.text(max_size=40)) | _JSON, max_size=5)


@settings(max_examples=300, deadline=None)
@given(_ITEMS, st.dictionaries(st.sampled_from(["authors", "author", "language"]), _JSON))
def test_any_json_feed_content_gives_items_or_fetch_error(
    items: list[Any], top: dict[str, Any]
) -> None:
    body = json.dumps({"version": VERSION, **top, "items": items}).encode()
    try:
        parsed = parse_json_feed(body, url=FEED_URL)
    except FetchError:
        return
    for item in parsed:
        assert isinstance(item.title, str) and len(item.title) <= MAX_TITLE
        assert isinstance(item.text, str) and len(item.text) <= MAX_TEXT
        assert isinstance(item.author, str) and len(item.author) <= MAX_AUTHOR
        assert item.title or item.text


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_starting_with_a_brace_give_items_or_fetch_error(tail: bytes) -> None:
    try:
        items = parse_feed(b"{" + tail, url=FEED_URL)
    except FetchError as exc:
        assert str(exc).startswith("not a feed")
    else:
        assert all(isinstance(item, Item) for item in items)
