"""App Store reviews of one app: stars lead the title; odd feeds are skipped or a clear error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from monitor.config import settings_from_mapping
from monitor.errors import ConfigError, FetchError
from monitor.fetch import Fetcher, FetchPolicy
from monitor.sources import adapter_for
from monitor.sources.appstore import MAX_ENTRIES, AppStoreAdapter, feed_of, read_reviews
from monitor.sources.base import CollectContext, Collected, Item, SourceRequest
from monitor.sources.feed import read_feed
from monitor.text import MAX_AUTHOR, MAX_TEXT, MAX_TITLE
from tests.conftest import FeedServer

FIXTURES = Path(__file__).parent / "fixtures" / "appstore"
APP = "1234567890"
FEED = f"/nl/rss/customerreviews/page=1/id={APP}/sortby=mostrecent/json"
JSON = "text/javascript; charset=utf-8"  # what Apple sends
REVIEWS = f"https://apps.apple.com/nl/app/id{APP}?see-all=reviews&review="


@pytest.fixture(scope="module")
def context() -> Iterator[CollectContext]:
    """One real fetcher for the module, as the collector shares one between its threads."""
    fetcher = Fetcher(FetchPolicy(allow_private_addresses=True))
    yield CollectContext(fetcher=fetcher, read_feed=read_feed)
    fetcher.close()


def collect(
    server: FeedServer,
    context: CollectContext,
    path: str = FEED,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Collected:
    source = SourceRequest(
        name="appstore-stroomlijn",
        type="appstore",
        url=server.base_url + path,
        etag=etag,
        last_modified=last_modified,
    )
    return AppStoreAdapter().collect(source, context)


def serve_fixture(server: FeedServer, name: str, **headers: str) -> None:
    server.serve(FEED, (FIXTURES / name).read_bytes(), content_type=JSON)
    server.routes[FEED].headers.update(headers)


def review(**fields: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "author": {"name": {"label": "Klant"}, "label": ""},
        "updated": {"label": "2024-05-06T01:12:44-07:00"},
        "im:rating": {"label": "2"},
        "id": {"label": "9001"},
        "title": {"label": "Titel"},
        "content": {"label": "Tekst", "attributes": {"type": "text"}},
    }
    entry.update(fields)
    return entry


def reviews(*entries: Any) -> list[Item]:
    body = json.dumps({"feed": {"entry": list(entries)}}).encode()
    return read_reviews(body, country="nl", app=APP)


# --- what a check yields ------------------------------------------------------------------------


def test_reviews_become_items_whose_title_starts_with_the_stars(
    feed_server: FeedServer, context: CollectContext
) -> None:
    serve_fixture(feed_server, "reviews.json")
    one_star, five_stars, three_stars = collect(feed_server, context).items
    assert one_star == Item(
        source_item_id="11223344556",
        url=REVIEWS + "11223344556",
        title="★☆☆☆☆ Crasht na de update",
        text=(
            "Sinds versie 5.2 crasht de app zodra ik mijn verbruik wil zien.\n"
            "Opnieuw installeren helpt niet. Graag een oplossing!"
        ),
        author="Klant1987",
        published_at=datetime(2024, 5, 6, 8, 12, 44, tzinfo=UTC),
    )
    assert five_stars.title == "★★★★★ Top app <3"
    assert three_stars.title == "★★★☆☆ Prima, maar..."


def test_the_first_entry_of_older_feeds_the_app_itself_is_skipped(
    feed_server: FeedServer, context: CollectContext
) -> None:
    serve_fixture(feed_server, "reviews.json")
    items = collect(feed_server, context).items
    assert "Stroomlijn Energie - Stroomlijn Energie B.V." not in [item.title for item in items]
    assert len(items) == 3


def test_each_review_gets_its_own_link_to_the_apps_reviews(
    feed_server: FeedServer, context: CollectContext
) -> None:
    serve_fixture(feed_server, "reviews.json")
    urls = [item.url for item in collect(feed_server, context).items]
    assert urls == [REVIEWS + "11223344556", REVIEWS + "11223340001", REVIEWS + "11223330002"]


def test_a_feed_with_one_review_gives_it_as_an_object_not_a_list(
    feed_server: FeedServer, context: CollectContext
) -> None:
    serve_fixture(feed_server, "single_review.json")
    [item] = collect(feed_server, context).items
    assert item.title == "★★☆☆☆ Inloggen lukt niet"
    assert item.author == "M. Bakker"


def test_a_feed_without_reviews_has_no_entry_at_all(
    feed_server: FeedServer, context: CollectContext
) -> None:
    serve_fixture(feed_server, "no_reviews.json")
    assert collect(feed_server, context).items == []


def test_the_feed_is_asked_for_conditionally(
    feed_server: FeedServer, context: CollectContext
) -> None:
    serve_fixture(feed_server, "reviews.json", ETag='"v1"', **{"Last-Modified": "Mon, 06 May 2024"})
    first = collect(feed_server, context)
    assert (first.etag, first.last_modified) == ('"v1"', "Mon, 06 May 2024")
    feed_server.serve(FEED, b"", status=304)
    second = collect(feed_server, context, etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified
    assert second.items == []
    assert (second.etag, second.last_modified) == ('"v1"', "Mon, 06 May 2024")
    asked = feed_server.routes[FEED].request_headers[-1]
    assert asked["If-None-Match"] == '"v1"'
    assert asked["If-Modified-Since"] == "Mon, 06 May 2024"


@pytest.mark.parametrize(
    "path",
    [
        f"/nl/rss/customerreviews/id={APP}/json",
        f"/nl/rss/customerreviews/page=3/id={APP}/sortby=mosthelpful/xml",
        f"/NL/rss/customerreviews/id={APP}/sortBy=mostRecent/json/",
    ],
)
def test_a_feed_url_in_another_form_is_read_as_the_most_recent_json_page(
    feed_server: FeedServer, context: CollectContext, path: str
) -> None:
    serve_fixture(feed_server, "single_review.json")
    assert len(collect(feed_server, context, path).items) == 1


# --- odd and hostile feeds ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "rating", [None, {}, {"label": "0"}, {"label": "6"}, {"label": "vijf"}, {"label": 4}, "5"]
)
def test_an_entry_without_a_rating_of_one_to_five_is_skipped(rating: Any) -> None:
    assert reviews(review(**{"im:rating": rating})) == []


def test_entries_of_the_wrong_shape_are_skipped_one_by_one() -> None:
    items = reviews(
        1,
        "review",
        None,
        [review()],
        review(
            title={"label": ["a", "list"]},
            content="no wrapper",
            author=["x"],
            id={"label": "../../etc"},
            updated={"label": "gisteren"},
        ),
        review(id=5, title=None, author={"name": "no wrapper"}, updated=None),
        review(id={"label": "42"}),
    )
    assert [(i.source_item_id, i.url, i.title, i.text, i.author) for i in items] == [
        ("../../etc", None, "★★☆☆☆", "", ""),
        (None, None, "★★☆☆☆", "Tekst", ""),
        ("42", REVIEWS + "42", "★★☆☆☆ Titel", "Tekst", "Klant"),
    ]
    assert items[0].published_at is None


def test_plain_text_content_is_preferred_over_html_and_html_becomes_text() -> None:
    both = [
        {"label": "<p>Slecht</p>", "attributes": {"type": "html"}},
        {"label": "Slecht <3", "attributes": {"type": "text"}},
    ]
    html_only = [{"label": "<p>Slecht<br>echt</p>", "attributes": {"type": "html"}}]
    first, second = reviews(review(content=both), review(content=html_only))
    assert (first.text, second.text) == ("Slecht <3", "Slecht\necht")


@pytest.mark.parametrize("entries", ["none", 42, None, True])
def test_an_entry_field_that_is_neither_object_nor_list_means_no_reviews(entries: Any) -> None:
    body = json.dumps({"feed": {"entry": entries}}).encode()
    assert read_reviews(body, country="nl", app=APP) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<!DOCTYPE html><html><body>Page not found</body></html>", "HTML page"),
        (b"<html><head></head></html>", "HTML page"),
        (b"{not json", "not valid JSON"),
        (b'{"feed": {"entry": [{"title": "\xff"}]}}', "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
        (b"{}", "without a feed object"),
        (b'{"feed": []}', "without a feed object"),
        (b"[]", "without a feed object"),
    ],
)
def test_a_body_that_is_not_a_review_feed_is_a_clear_fetch_error(
    feed_server: FeedServer, context: CollectContext, body: bytes, message: str
) -> None:
    feed_server.serve(FEED, body, content_type=JSON)
    with pytest.raises(FetchError, match=message):
        collect(feed_server, context)


def test_an_app_that_apple_does_not_know_is_an_http_error(
    feed_server: FeedServer, context: CollectContext
) -> None:
    feed_server.serve(FEED, b"", status=400)
    with pytest.raises(FetchError, match="HTTP 400"):
        collect(feed_server, context)


def test_huge_lists_and_texts_are_bounded() -> None:
    long = review(
        title={"label": "titel " * 10_000},
        content={"label": "tekst " * 100_000},
        author={"name": {"label": "n" * 10_000}},
    )
    items = reviews(long, *[review(id={"label": str(i)}) for i in range(5000)])
    assert len(items) == MAX_ENTRIES
    assert len(items[0].title) <= MAX_TITLE
    assert items[0].title.startswith("★★☆☆☆ titel")
    assert len(items[0].text) <= MAX_TEXT
    assert len(items[0].author) <= MAX_AUTHOR


# --- which urls a source accepts ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"https://apps.apple.com/nl/app/stroomlijn-energie/id{APP}", ("nl", APP)),
        (f"https://apps.apple.com/nl/app/stroomlijn-energie/id{APP}?l=en-GB", ("nl", APP)),
        (f"https://apps.apple.com/be/app/id{APP}/", ("be", APP)),
        (f"https://itunes.apple.com/NL/app/stroomlijn/id{APP}?mt=8", ("nl", APP)),
        (
            f"https://itunes.apple.com/nl/rss/customerreviews/page=1/id={APP}/sortby=mostrecent/json",
            ("nl", APP),
        ),
    ],
)
def test_an_app_page_or_its_feed_names_the_country_and_the_app(
    url: str, expected: tuple[str, str]
) -> None:
    feed, country, app = feed_of(url)
    assert (country, app) == expected
    assert feed == (
        f"https://itunes.apple.com/{country}/rss/customerreviews/page=1/id={APP}"
        "/sortby=mostrecent/json"
    )


def test_there_is_no_default_url() -> None:
    assert AppStoreAdapter.default_url is None
    assert isinstance(adapter_for("appstore"), AppStoreAdapter)


def appstore_source(**keys: Any) -> dict[str, Any]:
    return {"name": "app", "type": "appstore", **keys}


def config_error(**keys: Any) -> str:
    with pytest.raises(ConfigError) as caught:
        settings_from_mapping({"sources": [appstore_source(**keys)]}, origin="site.toml")
    return str(caught.value).removeprefix("site.toml: ")


def test_an_app_page_is_a_valid_source() -> None:
    url = f"https://apps.apple.com/nl/app/stroomlijn-energie/id{APP}"
    settings = settings_from_mapping({"sources": [appstore_source(url=url, query="*")]})
    assert settings.sources[0].url == url


def test_an_app_link_without_a_country_names_the_url_key() -> None:
    message = config_error(url=f"https://apps.apple.com/app/id{APP}")
    assert message.startswith("sources[0].url: the App Store link ")
    assert "names no country" in message


@pytest.mark.parametrize(
    "url",
    [
        "https://play.google.com/store/apps/details?id=nl.stroomlijn.app",
        f"https://apps.apple.com.evil.example/nl/app/x/id{APP}",
        "https://apps.apple.com/nl/developer/stroomlijn-energie-b-v/id1234500000",
        "https://apps.apple.com/nl/app/stroomlijn-energie",
    ],
)
def test_a_url_that_is_no_app_page_or_review_feed_names_the_url_key(url: str) -> None:
    assert config_error(url=url).startswith(
        "sources[0].url: expected an App Store app page such as https://apps.apple.com/nl/app/"
    )


def test_a_search_names_the_search_key() -> None:
    message = config_error(url=f"https://apps.apple.com/nl/app/x/id{APP}", search="stroomlijn")
    assert message.startswith("sources[0].search: an appstore source reads every review")


def test_a_source_without_url_names_the_url_key() -> None:
    assert config_error() == "sources[0].url: required for sources of type 'appstore'"
