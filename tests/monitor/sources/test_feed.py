"""parse_feed: RSS, Atom and RDF become bounded plain-text Items, or a clear FetchError."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.errors import FetchError
from monitor.sources.base import Item
from monitor.sources.feed import MAX_ITEMS_PER_FEED, defuse_entities, parse_feed, read_feed
from monitor.text import MAX_AUTHOR, MAX_TEXT, MAX_TITLE

DATASETS = Path(__file__).resolve().parents[3] / ".." / "shared" / "datasets"
FEEDS = DATASETS / "feeds"

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Nieuws</title><link>https://news.example.org/</link><description>d</description>
  <language>nl-NL</language>
  <item>
    <title>Storing bij &lt;b&gt;Stroomlijn&lt;/b&gt;</title>
    <link>/artikel/1</link>
    <guid isPermaLink="false">news-1</guid>
    <description>&lt;p&gt;Geen stroom in &lt;script&gt;alert(1)&lt;/script&gt;Zuid&lt;/p&gt;
    </description>
    <author>redactie@example.org (Redactie)</author>
    <pubDate>Mon, 06 May 2024 08:30:00 +0200</pubDate>
  </item>
  <item>
    <title>Tweede bericht</title>
    <link>https://news.example.org/artikel/2</link>
    <dc:creator>Jan Jansen</dc:creator>
  </item>
  <item><link>https://news.example.org/zonder-titel-en-tekst</link></item>
</channel>
</rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>Forum</title><id>urn:forum</id><updated>2024-05-06T08:30:00Z</updated>
  <entry>
    <title type="html">Vraag over &lt;i&gt;factuur&lt;/i&gt;</title>
    <id>urn:forum:1</id>
    <link rel="alternate" href="topic/1"/>
    <updated>2024-05-06T08:30:00Z</updated>
    <published>2024-05-05T10:00:00+02:00</published>
    <author><name>Piet</name></author>
    <summary>kort</summary>
    <content type="html">&lt;p&gt;Lange tekst over Stroomlijn&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Alleen een titel</title>
    <id>urn:forum:2</id>
    <link href="https://forum.example.org/topic/2"/>
    <updated>2024-05-06T09:00:00Z</updated>
  </entry>
</feed>"""

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://social.example.org/">
    <title>Social</title><link>https://social.example.org/</link><description>d</description>
    <dc:language>nl</dc:language>
  </channel>
  <item rdf:about="https://social.example.org/p/1">
    <title>Post 1</title>
    <link>https://social.example.org/p/1</link>
    <description>Stroomlijn is top</description>
    <dc:creator>@klant</dc:creator>
    <dc:date>2024-05-06T08:30:00+00:00</dc:date>
  </item>
</rdf:RDF>"""


def rss_with(item_xml: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"<link>https://example.org/</link><description>d</description>{item_xml}</channel></rss>"
    ).encode()


# --- the three XML families -----------------------------------------------------------------------


def test_an_rss_item_becomes_plain_text_with_its_link_id_author_and_date() -> None:
    first, second = parse_feed(RSS, url="https://news.example.org/feed.xml")
    assert first == Item(
        source_item_id="news-1",
        url="https://news.example.org/artikel/1",
        title="Storing bij Stroomlijn",
        text="Geen stroom in Zuid",
        author="redactie@example.org (Redactie)",
        published_at=datetime(2024, 5, 6, 6, 30, tzinfo=UTC),
        language_hint="nl",
    )
    assert second.title == "Tweede bericht"
    assert second.author == "Jan Jansen"
    assert second.source_item_id is None
    assert second.published_at is None


def test_an_rss_item_without_title_and_text_is_skipped() -> None:
    urls = [item.url for item in parse_feed(RSS, url="https://news.example.org/feed.xml")]
    assert "https://news.example.org/zonder-titel-en-tekst" not in urls
    assert len(urls) == 2


def test_an_atom_entry_uses_its_fullest_body_and_its_published_date() -> None:
    first, second = parse_feed(ATOM, url="https://forum.example.org/feeds/all.atom")
    assert first == Item(
        source_item_id="urn:forum:1",
        url="https://forum.example.org/feeds/topic/1",
        title="Vraag over factuur",
        text="Lange tekst over Stroomlijn",
        author="Piet",
        published_at=datetime(2024, 5, 5, 8, 0, tzinfo=UTC),
        language_hint="en",
    )
    assert second.title == "Alleen een titel"
    assert second.text == ""
    assert second.published_at == datetime(2024, 5, 6, 9, 0, tzinfo=UTC)


def test_an_rdf_item_is_read_like_any_other() -> None:
    [item] = parse_feed(RDF, url="https://social.example.org/rss")
    assert item == Item(
        source_item_id="https://social.example.org/p/1",
        url="https://social.example.org/p/1",
        title="Post 1",
        text="Stroomlijn is top",
        author="@klant",
        published_at=datetime(2024, 5, 6, 8, 30, tzinfo=UTC),
        language_hint="nl",
    )


def test_an_old_rss_091_feed_is_read() -> None:
    doc = b'<rss version="0.91"><channel><title>t</title><item><title>oud</title></item>'
    doc += b"</channel></rss>"
    assert [item.title for item in parse_feed(doc, url="https://example.org/")] == ["oud"]


def test_an_empty_but_valid_feed_gives_no_items() -> None:
    assert parse_feed(rss_with(""), url="https://example.org/feed") == []


def test_a_feed_in_a_legacy_encoding_is_decoded() -> None:
    doc = (
        '<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><title>t</title>'
        "<item><title>Café Zuid</title></item></channel></rss>"
    ).encode("latin-1")
    assert parse_feed(doc, url="https://example.org/")[0].title == "Café Zuid"


def test_an_unreadable_date_is_left_empty() -> None:
    [item] = parse_feed(
        rss_with("<item><title>x</title><pubDate>gisteren</pubDate></item>"),
        url="https://example.org/",
    )
    assert item.published_at is None


# --- links ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("/artikel/1", "https://news.example.org/artikel/1"),
        ("artikel/1", "https://news.example.org/feeds/artikel/1"),
        ("../artikel/1", "https://news.example.org/artikel/1"),
        ("//cdn.example.org/a", "https://cdn.example.org/a"),
        ("http://other.example.org/a", "http://other.example.org/a"),
    ],
)
def test_a_relative_link_is_resolved_against_the_feed_url(link: str, expected: str) -> None:
    doc = rss_with(f"<item><title>x</title><link>{link}</link></item>")
    [item] = parse_feed(doc, url="https://news.example.org/feeds/main.xml")
    assert item.url == expected


def test_an_atom_link_is_resolved_against_xml_base() -> None:
    doc = b"""<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://cdn.example.org/base/">
      <title>t</title><entry><title>x</title><id>e1</id><link href="post/1"/></entry></feed>"""
    [item] = parse_feed(doc, url="https://forum.example.org/feed.atom")
    assert item.url == "https://cdn.example.org/base/post/1"


@pytest.mark.parametrize("link", ["javascript:alert(1)", "mailto:x@example.org", "http://[broken"])
def test_a_link_that_is_not_a_web_address_is_dropped(link: str) -> None:
    [item] = parse_feed(
        rss_with(f"<item><title>x</title><link>{link}</link></item>"), url="https://example.org/"
    )
    assert item.url is None


# --- not a feed -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page",
    [
        b"<!DOCTYPE html><html><head><title>Home</title></head><body>Welkom</body></html>",
        b"\n  <html lang='nl'><body><p>Welkom</p></body></html>",
        b"<!doctype HTML>\n<html></html>",
    ],
)
def test_an_html_page_is_refused_with_a_clear_message(page: bytes) -> None:
    with pytest.raises(FetchError) as caught:
        parse_feed(page, url="https://example.org/", content_type="text/html")
    assert str(caught.value) == "the URL returned an HTML page, not a feed"


@pytest.mark.parametrize(
    "garbage",
    [b"", b"   ", b"\x00\x01\x02garbage\xff\xfe", b"just some text", b"<?xml version='1.0'?><a/>"],
)
def test_garbage_is_refused_as_not_a_feed(garbage: bytes) -> None:
    with pytest.raises(FetchError) as caught:
        parse_feed(garbage, url="https://example.org/")
    assert str(caught.value).startswith("not a feed (no RSS, Atom, RDF or JSON Feed found)")
    assert len(str(caught.value)) <= 500


def test_a_json_body_is_read_as_json_feed() -> None:
    with pytest.raises(FetchError, match=r"jsonfeed\.org version"):
        parse_feed(b'{"hello": "world"}', url="https://example.org/")


# --- hostile content ------------------------------------------------------------------------------


def test_script_and_style_in_an_entry_leave_only_the_text() -> None:
    doc = rss_with(
        "<item><title>&lt;script&gt;steal()&lt;/script&gt;Titel</title><description><![CDATA["
        "<style>p{}</style><p onclick='x()'>Tekst <iframe src='https://evil.example/'></iframe>"
        "<script>document.location='https://evil.example/'</script>hier</p>]]></description></item>"
    )
    [item] = parse_feed(doc, url="https://example.org/")
    assert item.title == "Titel"
    assert item.text == "Tekst hier"


def test_huge_fields_are_bounded() -> None:
    big = "woord " * 100_000
    doc = rss_with(
        f"<item><title>{big}</title><description>{big}</description><author>{big}</author>"
        f"<guid>{'g' * 5_000}</guid><link>https://example.org/{'p' * 5_000}</link></item>"
    )
    [item] = parse_feed(doc, url="https://example.org/")
    assert 0 < len(item.title) <= MAX_TITLE
    assert 0 < len(item.text) <= MAX_TEXT
    assert 0 < len(item.author) <= MAX_AUTHOR
    assert item.source_item_id is not None and len(item.source_item_id) <= 1000
    assert item.url is not None and len(item.url) <= 2000
    assert "\n" not in item.title


def test_a_feed_with_too_many_entries_is_cut_off() -> None:
    entries = "".join(f"<item><title>t{i}</title></item>" for i in range(MAX_ITEMS_PER_FEED + 50))
    items = parse_feed(rss_with(entries), url="https://example.org/")
    assert len(items) == MAX_ITEMS_PER_FEED
    assert items[0].title == "t0"


def test_control_characters_in_an_entry_are_removed() -> None:
    [item] = parse_feed(
        rss_with("<item><title>a&#x7f;b</title><description>c\x1bd</description></item>"),
        url="https://example.org/",
    )
    assert item.title == "ab"
    assert item.text == "cd"


# --- real feeds -----------------------------------------------------------------------------------


def _corpus_files() -> list[Path]:
    return sorted(p for p in FEEDS.rglob("*") if p.is_file())


def test_every_real_feed_parses_into_bounded_items_or_fails_with_fetch_error() -> None:
    if not FEEDS.is_dir():
        pytest.skip(f"feed corpora not found at {FEEDS.resolve()} (only in the full workspace)")
    files = _corpus_files()
    assert len(files) > 100, f"expected the feedparser and feed-rs corpora in {FEEDS}"
    crashes: list[str] = []
    parsed = 0
    for path in files:
        try:
            items = parse_feed(path.read_bytes(), url=f"https://example.org/feeds/{path.name}")
        except FetchError:
            continue
        except Exception as exc:  # every crash is collected, so one run lists them all
            crashes.append(f"{path.relative_to(FEEDS)}: {type(exc).__name__}: {exc}")
            continue
        parsed += 1
        for item in items:
            assert isinstance(item.title, str) and len(item.title) <= MAX_TITLE, path
            assert isinstance(item.text, str) and len(item.text) <= MAX_TEXT, path
            assert isinstance(item.author, str) and len(item.author) <= MAX_AUTHOR, path
            assert item.title or item.text, path
            assert item.url is None or item.url.startswith(("http://", "https://")), path
    assert crashes == []
    assert parsed > len(files) // 2, "most of the real feeds should parse"


def _with_dtd(declarations: str, body: str) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n{declarations}\n]>\n'
        f'<rss version="2.0"><channel><title>t</title><item><title>i</title>'
        f"<description>{body}</description></item></channel></rss>"
    ).encode()


def test_a_small_inline_entity_is_kept_and_expanded() -> None:
    doc = _with_dtd('<!ENTITY merk "Stroomlijn">', "Storing bij &merk;")
    assert defuse_entities(doc) == doc
    assert parse_feed(doc, url="https://example.org/")[0].text == "Storing bij Stroomlijn"


def test_an_entity_whose_uses_would_blow_the_document_up_is_dropped() -> None:
    doc = _with_dtd('<!ENTITY big "' + "x" * 1000 + '">', "&big;" * 5000)
    defused = defuse_entities(doc)
    assert b"<!ENTITY" not in defused and defused.endswith(doc[-200:])
    [item] = parse_feed(doc, url="https://example.org/")
    assert "x" * 1000 not in item.text


@pytest.mark.parametrize(
    "declaration",
    [
        '<!ENTITY a "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">',  # the billion laughs: entities of entities
        '<!ENTITY % p "x">',  # parameter entities
        '<!ENTITY ext SYSTEM "file:///etc/passwd">',  # external entities
    ],
)
def test_nested_parameter_and_external_entities_are_never_kept(declaration: str) -> None:
    assert b"<!ENTITY" not in defuse_entities(_with_dtd(declaration, "&a;"))


def test_a_feed_without_a_dtd_is_left_byte_for_byte() -> None:
    assert defuse_entities(RSS) is RSS


def test_a_feed_says_which_websub_hub_and_topic_it_has_and_its_ttl() -> None:
    doc = b"""<?xml version="1.0"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>t</title>
<atom:link rel="hub" href="https://hub.example.net/"/>
<atom:link rel="self" href="https://news.example.org/feed.xml"/>
<ttl>60</ttl>
<item><title>i</title></item></channel></rss>"""
    parsed = read_feed(doc, "https://news.example.org/feed.xml")
    assert parsed.hub == "https://hub.example.net/"
    assert parsed.self_url == "https://news.example.org/feed.xml"
    assert parsed.ttl == 3600


def test_a_json_feed_names_its_websub_hub() -> None:
    doc = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "t",'
        b' "feed_url": "https://example.org/feed.json",'
        b' "hubs": [{"type": "rssCloud", "url": "https://cloud.example"},'
        b' {"type": "WebSub", "url": "https://hub.example.net/"}], "items": []}'
    )
    parsed = read_feed(doc, "https://example.org/feed.json")
    assert (parsed.hub, parsed.self_url) == (
        "https://hub.example.net/",
        "https://example.org/feed.json",
    )


def test_a_feed_without_hub_or_ttl_says_nothing_about_them() -> None:
    parsed = read_feed(RSS, "https://news.example.org/feed.xml")
    assert (parsed.hub, parsed.self_url, parsed.ttl) == (None, None, None)


def test_an_entity_that_is_one_character_reference_is_kept() -> None:
    doc = _with_dtd('<!ENTITY copy "&#169;">', "&copy; Stroomlijn")
    assert defuse_entities(doc) == doc


def test_a_google_alerts_link_in_a_plain_feed_points_at_the_article() -> None:
    doc = rss_with(
        "<item><title>Stroomlijn</title>"
        "<link>https://www.google.com/url?rct=j&amp;sa=t&amp;url=https://krant.example.nl/a/1"
        "&amp;ct=ga&amp;cd=x</link></item>"
    )
    assert parse_feed(doc, url="https://www.google.com/alerts/feeds/1/2")[0].url == (
        "https://krant.example.nl/a/1"
    )
