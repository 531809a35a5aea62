"""Google News and Bing News: a search becomes a feed URL, and every link leads to the article."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.config import settings_from_mapping
from monitor.errors import ConfigError
from monitor.fetch import Fetcher, FetchPolicy
from monitor.sources import adapter_for
from monitor.sources.base import CollectContext, Item, SourceRequest
from monitor.sources.feed import read_feed
from monitor.sources.links import decode_google_news_id, unwrap_redirect
from monitor.sources.news import bing_news_feed_url, google_news_feed_url
from tests.conftest import FeedServer

FIXTURES = Path(__file__).parent / "fixtures"
GOOGLE_SEARCH = (FIXTURES / "google_news" / "search.xml").read_bytes()
GOOGLE_ALERTS = (FIXTURES / "google_news" / "alerts.xml").read_bytes()
BING_SEARCH = (FIXTURES / "bing_news" / "search.xml").read_bytes()


@pytest.fixture
def context() -> Iterator[CollectContext]:
    fetcher = Fetcher(FetchPolicy(allow_private_addresses=True))
    yield CollectContext(fetcher=fetcher, read_feed=read_feed)
    fetcher.close()


def request(source_type: str, url: str, **options: Any) -> SourceRequest:
    return SourceRequest(name="acme-news", type=source_type, url=url, options=options)


def config_error(**source: Any) -> str:
    with pytest.raises(ConfigError) as caught:
        settings_from_mapping({"sources": [{"name": "acme-news", **source}]})
    return str(caught.value).removeprefix("<config>: ")


def varint(number: int) -> bytes:
    out = b""
    while number > 0x7F:
        out += bytes([number & 0x7F | 0x80])
        number >>= 7
    return out + bytes([number])


def google_news_id(url: str) -> str:
    """An article id in Google News's older format: protobuf with the URL, base64 for URLs."""
    message = b"\x08\x13\x22" + varint(len(url)) + url.encode() + b"\xd2\x01\x00"
    return base64.urlsafe_b64encode(message).decode().rstrip("=")


# --- Google News feed URLs ----------------------------------------------------------------------


def test_a_google_news_search_asks_for_the_dutch_edition() -> None:
    assert google_news_feed_url("https://news.google.com/rss/search", "acme bank") == (
        "https://news.google.com/rss/search?q=acme+bank&hl=nl&gl=NL&ceid=NL:nl"
    )


def test_a_google_news_search_keeps_its_quotes_and_operators() -> None:
    assert google_news_feed_url("https://news.google.com/rss/search", '"acme bank" when:1d') == (
        "https://news.google.com/rss/search?q=%22acme+bank%22+when:1d&hl=nl&gl=NL&ceid=NL:nl"
    )


def test_a_search_page_copied_from_the_browser_becomes_its_rss_form_in_its_own_edition() -> None:
    copied = "https://news.google.com/search?q=acme%20bank&hl=en-GB&gl=GB&ceid=GB%3Aen"
    assert google_news_feed_url(copied, None) == (
        "https://news.google.com/rss/search?q=acme+bank&hl=en-GB&gl=GB&ceid=GB:en"
    )


def test_the_search_key_replaces_only_the_words_of_a_given_search_url() -> None:
    url = "https://news.google.com/rss/search?q=old+words&hl=de&gl=DE&ceid=DE:de"
    assert google_news_feed_url(url, "acme bank") == (
        "https://news.google.com/rss/search?q=acme+bank&hl=de&gl=DE&ceid=DE:de"
    )


def test_a_google_news_feed_url_is_used_as_it_stands() -> None:
    url = "https://news.google.com/rss/search?q=acme+bank&hl=nl&gl=NL&ceid=NL:nl"
    assert google_news_feed_url(url, None) == url
    assert google_news_feed_url(url, "acme bank") == url


def test_a_topic_page_becomes_its_topic_feed_without_a_search() -> None:
    assert google_news_feed_url(
        "https://news.google.com/topics/CAAqJggKIiBDQkFTRWdvSUwyMHZNRGx6TVdZU0FtNXNHZ0pPVENnQVAB",
        None,
    ) == (
        "https://news.google.com/rss/topics/CAAqJggKIiBDQkFTRWdvSUwyMHZNRGx6TVdZU0FtNXNHZ0pPVENnQVAB"
        "?hl=nl&gl=NL&ceid=NL:nl"
    )


def test_a_google_alerts_feed_is_read_as_it_stands() -> None:
    url = "https://www.google.com/alerts/feeds/04417729581206631187/9182736450918273645"
    assert google_news_feed_url(url, None) == url


def test_a_google_news_source_with_only_a_search_is_valid_config() -> None:
    settings = settings_from_mapping(
        {"sources": [{"name": "acme-news", "type": "google_news", "search": "acme bank"}]}
    )
    assert settings.sources[0].url == "https://news.google.com/rss/search"


def test_a_google_news_source_without_a_search_names_the_search_key() -> None:
    message = config_error(type="google_news")
    assert message.startswith("sources[0].search: give the words to search for")


def test_a_google_news_search_page_without_words_names_the_search_key() -> None:
    message = config_error(type="google_news", url="https://news.google.com/search?hl=nl")
    assert message.startswith("sources[0].search: ")


def test_a_google_news_url_that_is_not_http_names_the_url_key() -> None:
    assert config_error(type="google_news", url="news.google.com/search?q=acme") == (
        "sources[0].url: expected an http:// or https:// URL, got 'news.google.com/search?q=acme'"
    )


# --- Bing News feed URLs ------------------------------------------------------------------------


def test_a_bing_news_search_asks_for_rss() -> None:
    assert bing_news_feed_url("https://www.bing.com/news/search", "acme bank") == (
        "https://www.bing.com/news/search?q=acme+bank&format=rss"
    )


def test_a_bing_news_page_copied_from_the_browser_keeps_its_filters() -> None:
    copied = "https://www.bing.com/news/search?q=acme+bank&qft=interval%3d%227%22&form=PTFTNR"
    assert bing_news_feed_url(copied, None) == (
        "https://www.bing.com/news/search?q=acme+bank&qft=interval%3D%227%22&form=PTFTNR&format=rss"
    )


def test_a_bing_news_rss_url_is_used_as_it_stands() -> None:
    url = "https://www.bing.com/news/search?q=acme+bank&format=rss"
    assert bing_news_feed_url(url, None) == url


def test_a_bing_news_source_without_a_search_names_the_search_key() -> None:
    assert config_error(type="bing_news").startswith("sources[0].search: ")


# --- unwrapping redirect links ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wrapped", "article"),
    [
        (
            "https://www.google.com/url?rct=j&sa=t&url=https://www.dagblad-noord.example/regio/"
            "acme-bank%3Fpage%3D2&ct=ga&cd=CAIyGjA0NDE3&usg=AOvVaw1qk7Xb",
            "https://www.dagblad-noord.example/regio/acme-bank?page=2",
        ),
        (
            "https://www.google.nl/url?q=https://forum.spaarders.example/t/acme/4312&sa=U",
            "https://forum.spaarders.example/t/acme/4312",
        ),
        (
            "http://www.bing.com/news/apiclick.aspx?ref=FexRss&aid=&tid=6638A1B2&url=https%3a%2f%2f"
            "www.geldnieuws.example%2fbanken%2facme-bank&c=1234&mkt=nl-nl",
            "https://www.geldnieuws.example/banken/acme-bank",
        ),
        (
            "https://news.google.com/rss/articles/"
            + google_news_id("https://www.ledgertimes.example/finance/acme-bank-fined")
            + "?oc=5",
            "https://www.ledgertimes.example/finance/acme-bank-fined",
        ),
        (
            "https://www.google.com/url?url=http://www.bing.com/news/apiclick.aspx%3Furl%3D"
            "https%253A%252F%252Facme.example%252F",
            "https://acme.example/",
        ),
    ],
)
def test_a_redirect_link_is_unwrapped_to_the_article(wrapped: str, article: str) -> None:
    assert unwrap_redirect(wrapped) == article


@pytest.mark.parametrize(
    "link",
    [
        "https://www.dagblad-noord.example/url?url=https://elsewhere.example/",
        "https://www.google.com/url?url=javascript:alert(1)",
        "https://www.google.com/url?sa=t&ct=ga",
        "https://www.google.com/search?q=acme",
        "http://www.bing.com/news/apiclick.aspx?ref=FexRss",
        "https://news.google.com/rss/articles/CBMiWEFVX3lxTE43Y1Z4MmtRZVdtQjNyVHo5cEhmR2owc0tkTGE4?oc=5",
        "https://news.google.com/rss/articles/%%%?oc=5",
        "https://news.google.com/rss/articles/Q?oc=5",
        "http://[oops/url?url=https://acme.example/",
    ],
)
def test_a_link_that_is_not_a_known_redirect_to_an_article_is_kept(link: str) -> None:
    assert unwrap_redirect(link) == link


def test_a_google_news_id_carrying_a_long_url_is_decoded() -> None:
    long_url = "https://www.geldnieuws.example/banken/" + "acme-bank-verhoogt-de-spaarrente-" * 6
    assert len(long_url) > 127  # the length takes two bytes
    assert decode_google_news_id(google_news_id(long_url)) == long_url


def test_a_newer_opaque_google_news_id_is_not_decoded() -> None:
    opaque = base64.urlsafe_b64encode(b"\x08\x13\x22\x0cAU_yqLN7cVx2").decode().rstrip("=")
    assert decode_google_news_id(opaque) is None


@given(st.text(max_size=300))
def test_unwrapping_any_text_never_fails(text: str) -> None:
    result = unwrap_redirect(text)
    assert result == text or result.startswith(("http://", "https://"))


@given(st.binary(max_size=300))
def test_decoding_any_google_news_id_never_fails(data: bytes) -> None:
    article_id = base64.urlsafe_b64encode(data).decode().rstrip("=")
    result = decode_google_news_id(article_id)
    assert result is None or result.startswith(("http://", "https://"))


# --- collecting ---------------------------------------------------------------------------------


def test_a_google_news_search_is_fetched_and_its_items_lead_to_the_articles(
    feed_server: FeedServer, context: CollectContext
) -> None:
    feed_server.serve("/rss/search?q=acme+bank&hl=nl&gl=NL&ceid=NL:nl", GOOGLE_SEARCH)
    source = request("google_news", feed_server.base_url + "/rss/search", search="acme bank")
    first, second, third = adapter_for("google_news").collect(source, context).items
    assert first == Item(
        source_item_id=first.source_item_id,
        url="https://www.dagblad-noord.example/economie/"
        "storing-bij-acme-bank-klanten-kunnen-urenlang-niet-pinnen",
        title="Storing bij Acme Bank: klanten kunnen urenlang niet pinnen",
        text="Storing bij Acme Bank: klanten kunnen urenlang niet pinnen Dagblad Noord",
        author="Dagblad Noord",
        published_at=datetime(2024, 5, 6, 7, 12, tzinfo=UTC),
        language_hint="nl",
    )
    assert first.source_item_id and first.source_item_id.startswith("CBMi")
    assert second.url == (
        "https://www.geldnieuws.example/banken/2024/05/06/acme-bank-verhoogt-de-spaarrente-voor-"
        "de-tweede-keer-dit-jaar-maar-blijft-achter-bij-de-concurrentie"
    )
    # Only the last " - " is the publisher; the headline keeps its own dash.
    assert (second.title, second.author) == (
        "Acme Bank verhoogt de spaarrente - maar blijft achter",
        "Geldnieuws",
    )
    # A newer, opaque article id keeps its Google News link.
    assert third.url and third.url.startswith("https://news.google.com/rss/articles/CBMiWEFV")
    assert (third.title, third.author) == (
        "Acme Bank fined over mis-sold mortgage insurance",
        "The Ledger Times",
    )


def test_a_google_alerts_feed_as_a_google_news_source_leads_to_the_articles(
    feed_server: FeedServer, context: CollectContext
) -> None:
    path = "/alerts/feeds/04417729581206631187/9182736450918273645"
    feed_server.serve(path, GOOGLE_ALERTS, content_type="text/xml; charset=UTF-8")
    items = (
        adapter_for("google_news")
        .collect(request("google_news", feed_server.base_url + path), context)
        .items
    )
    assert [(item.title, item.url) for item in items] == [
        (
            "Acme Bank sluit tien kantoren in Drenthe",
            "https://www.dagblad-noord.example/regio/acme-bank-sluit-tien-kantoren-in-drenthe"
            "?utm_source=alerts",
        ),
        (
            "Klantenservice Acme Bank onbereikbaar tijdens storing",
            "https://forum.spaarders.example/t/klantenservice-acme-bank-onbereikbaar/4312",
        ),
        (
            # A dash in a headline is not a publisher unless the text ends with that name.
            "Hypotheekrente Acme Bank - de feiten op een rij",
            "https://www.geldnieuws.example/hypotheek/acme-bank-rente-feiten",
        ),
    ]
    assert items[1].text == (
        "Al een uur in de wacht bij Acme Bank. Iemand anders ook problemen met inloggen in de app?"
    )
    assert [item.author for item in items] == ["", "", ""]


def test_a_bing_news_search_is_fetched_and_its_items_lead_to_the_articles(
    feed_server: FeedServer, context: CollectContext
) -> None:
    feed_server.serve("/news/search?q=acme+bank&format=rss", BING_SEARCH)
    source = request("bing_news", feed_server.base_url + "/news/search", search="acme bank")
    first, second = adapter_for("bing_news").collect(source, context).items
    assert first == Item(
        source_item_id=None,
        url="https://www.geldnieuws.example/banken/acme-bank-schrapt-300-banen",
        title="Acme Bank schrapt 300 banen bij klantenservice",
        text="Acme Bank gaat de komende twee jaar driehonderd banen bij de klantenservice "
        "schrappen. Vragen van klanten worden vaker door een chatbot beantwoord, meldt de bank "
        "maandag.",
        published_at=datetime(2024, 5, 6, 8, 2, tzinfo=UTC),
    )
    assert second.url == (
        "https://www.ledgertimes.example/finance/2024/05/06/acme-bank-payments-outage"
    )


def test_an_unchanged_news_feed_is_not_modified_and_keeps_its_validators(
    feed_server: FeedServer, context: CollectContext
) -> None:
    path = "/news/search?q=acme+bank&format=rss"
    feed_server.serve(path, b"", status=304, ETag='"bing-1"')
    source = SourceRequest(
        name="acme-news",
        type="bing_news",
        url=feed_server.base_url + "/news/search",
        etag='"bing-1"',
        options={"search": "acme bank"},
    )
    collected = adapter_for("bing_news").collect(source, context)
    assert (collected.not_modified, collected.items, collected.etag) == (True, [], '"bing-1"')
    assert feed_server.routes[path].request_headers[0]["If-None-Match"] == '"bing-1"'
