"""Hacker News through the Algolia HN Search API: new stories and comments, linked to HN itself."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qsl

import pytest

from monitor.config import settings_from_mapping
from monitor.errors import ConfigError, FetchError
from monitor.fetch import Fetcher, FetchPolicy
from monitor.sources import adapter_for
from monitor.sources.base import CollectContext, Collected, Item, SourceRequest
from monitor.sources.feed import read_feed
from monitor.sources.hackernews import (
    DEFAULT_URL,
    FIRST_WINDOW,
    HITS_PER_PAGE,
    MAX_PAGES,
    OVERLAP,
    HackerNewsAdapter,
    hit_to_item,
    search_of,
)
from monitor.text import MAX_AUTHOR, MAX_TEXT, MAX_TITLE
from tests.conftest import FeedServer

FIXTURES = Path(__file__).parent / "fixtures" / "hackernews"
SEARCH_PATH = "/api/v1/search_by_date"


class SearchServer(FeedServer):
    """The feed server answering by path and page alone, whatever else the query asks, and
    keeping every request's parameters: the time filter of a first check moves with the clock.

    A page other than the first is served from "<path>?page=N".
    """

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[dict[str, str]] = []
        requests = self.requests
        serve = cast(type[BaseHTTPRequestHandler], self.httpd.RequestHandlerClass)

        def do_get(handler: BaseHTTPRequestHandler) -> None:
            path, _, query = handler.path.partition("?")
            params = dict(parse_qsl(query))
            requests.append(params)
            page = params.get("page", "0")
            handler.path = path if page == "0" else f"{path}?page={page}"
            getattr(serve, "do_GET")(handler)  # noqa: B009 - typed as a plain request handler

        self.httpd.RequestHandlerClass = type("Handler", (serve,), {"do_GET": do_get})


@pytest.fixture
def api() -> Iterator[SearchServer]:
    server = SearchServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def context() -> Iterator[CollectContext]:
    """One real fetcher for the module, as the collector shares one between its threads."""
    fetcher = Fetcher(FetchPolicy(allow_private_addresses=True))
    yield CollectContext(fetcher=fetcher, read_feed=read_feed)
    fetcher.close()


def answer(*hits: Any, pages: int = 1) -> str:
    return json.dumps({"hits": list(hits), "nbHits": len(hits), "page": 0, "nbPages": pages})


def comment(
    object_id: int, created: int, text: str = "Stroomlijn support is slow"
) -> dict[str, Any]:
    return {
        "_tags": ["comment", "author_x", "story_1"],
        "author": "x",
        "comment_text": text,
        "created_at_i": created,
        "objectID": str(object_id),
        "story_title": "Energy prices",
    }


def collect(
    api: SearchServer,
    context: CollectContext,
    *,
    etag: str | None = None,
    search: str = "stroomlijn",
    url: str | None = None,
) -> Collected:
    source = SourceRequest(
        name="hn-stroomlijn",
        type="hackernews",
        url=url or api.base_url + SEARCH_PATH,
        etag=etag,
        options={"search": search},
    )
    return HackerNewsAdapter().collect(source, context)


# --- what a check yields ------------------------------------------------------------------------


def test_stories_and_comments_become_items_that_link_to_the_hn_discussion(
    api: SearchServer, context: CollectContext
) -> None:
    api.serve(SEARCH_PATH, (FIXTURES / "search_by_date.json").read_bytes())
    comment_item, ask, link = collect(api, context).items
    assert comment_item == Item(
        source_item_id="40270012",
        url="https://news.ycombinator.com/item?id=40270012",
        title="Re: Dutch energy supplier Stroomlijn opens up its smart meter API",
        text=(
            "We switched to Stroomlijn last year. The smart meter API is great, but support took "
            ">3 weeks to answer a billing question.\n\nAnyone else seeing this? Their status page "
            'says "no known issues".'
        ),
        author="jdevries",
        published_at=datetime(2024, 5, 6, 8, 30, tzinfo=UTC),
    )
    assert ask == Item(
        source_item_id="40268800",
        url="https://news.ycombinator.com/item?id=40268800",
        title="Ask HN: Has anyone moved off Stroomlijn's dynamic tariff?",
        text=(
            "I'm on Stroomlijn's dynamic contract and my May bill doubled.\n\nIs there a way to "
            "see the hourly prices they actually charged? The app only shows daily totals."
        ),
        author="maartenb",
        published_at=datetime(2024, 5, 6, 7, 20, tzinfo=UTC),
    )
    assert link.title == "Stroomlijn Energie raises €40M to put batteries in 10k homes"


def test_a_link_story_shows_its_link_as_text_but_links_to_hn(
    api: SearchServer, context: CollectContext
) -> None:
    api.serve(SEARCH_PATH, (FIXTURES / "search_by_date.json").read_bytes())
    link = collect(api, context).items[2]
    assert link.text == "https://techcrunch.example.com/2024/05/06/stroomlijn-batteries"
    assert link.url == "https://news.ycombinator.com/item?id=40268000"


def test_a_comment_without_a_story_title_has_no_title() -> None:
    hit = comment(5, 1714984200)
    del hit["story_title"]
    converted = hit_to_item(hit)
    assert converted is not None
    assert converted.title == ""
    assert converted.text == "Stroomlijn support is slow"


def test_titles_and_names_are_plain_text_not_markup() -> None:
    hit = {"objectID": "9", "title": "Show HN: <3 for   Stroomlijn", "author": "a<b>", "url": ""}
    item = hit_to_item(hit)
    assert item is not None
    assert (item.title, item.author, item.text) == ("Show HN: <3 for Stroomlijn", "a<b>", "")


def test_the_iso_date_is_used_when_the_timestamp_is_missing() -> None:
    item = hit_to_item({"objectID": "9", "title": "t", "created_at": "2024-05-06T08:30:00.000Z"})
    assert item is not None
    assert item.published_at == datetime(2024, 5, 6, 8, 30, tzinfo=UTC)


# --- what a check asks for ----------------------------------------------------------------------


def test_the_first_check_asks_for_stories_and_comments_of_the_last_day_newest_first(
    api: SearchServer, context: CollectContext
) -> None:
    api.serve(SEARCH_PATH, answer())
    before = int(time.time())
    collect(api, context)
    [params] = api.requests
    assert params.keys() == {"query", "tags", "hitsPerPage", "numericFilters"}
    assert params["query"] == "stroomlijn"
    assert params["tags"] == "(story,comment)"
    assert params["hitsPerPage"] == "100"
    operator, since = params["numericFilters"].split(">")
    assert operator == "created_at_i"
    assert before - FIRST_WINDOW <= int(since) <= int(time.time()) - FIRST_WINDOW


def test_the_newest_time_seen_is_kept_in_the_etag(
    api: SearchServer, context: CollectContext
) -> None:
    api.serve(SEARCH_PATH, (FIXTURES / "search_by_date.json").read_bytes())
    etag = collect(api, context).etag
    assert etag is not None
    assert etag.startswith("hn:1714984200:")


def test_the_next_check_asks_only_for_what_is_newer_with_a_margin_for_indexing_delay(
    api: SearchServer, context: CollectContext
) -> None:
    api.serve(SEARCH_PATH, (FIXTURES / "search_by_date.json").read_bytes())
    first = collect(api, context)
    api.serve(SEARCH_PATH, answer(comment(40270100, 1714984500)))
    second = collect(api, context, etag=first.etag)
    assert api.requests[1]["numericFilters"] == f"created_at_i>{1714984200 - OVERLAP}"
    assert [item.source_item_id for item in second.items] == ["40270100"]
    assert second.etag is not None
    assert second.etag.startswith("hn:1714984500:")


def test_a_check_without_new_hits_keeps_the_etag(
    api: SearchServer, context: CollectContext
) -> None:
    api.serve(SEARCH_PATH, (FIXTURES / "search_by_date.json").read_bytes())
    first = collect(api, context)
    api.serve(SEARCH_PATH, answer())
    assert collect(api, context, etag=first.etag).etag == first.etag


def test_a_watermark_of_another_search_is_ignored(
    api: SearchServer, context: CollectContext
) -> None:
    api.serve(SEARCH_PATH, (FIXTURES / "search_by_date.json").read_bytes())
    first = collect(api, context, search="stroomlijn")
    before = int(time.time())
    collect(api, context, etag=first.etag, search="stroomlijn energie")
    since = int(api.requests[1]["numericFilters"].split(">")[1])
    assert since >= before - FIRST_WINDOW


@pytest.mark.parametrize("etag", ['W/"abc"', "hn:notanumber:0123456789ab", "hn:1:short", ""])
def test_an_etag_that_is_no_watermark_starts_over_from_the_last_day(
    api: SearchServer, context: CollectContext, etag: str
) -> None:
    api.serve(SEARCH_PATH, answer())
    before = int(time.time())
    collect(api, context, etag=etag)
    since = int(api.requests[0]["numericFilters"].split(">")[1])
    assert since >= before - FIRST_WINDOW


def test_a_time_from_the_future_does_not_become_the_watermark(
    api: SearchServer, context: CollectContext
) -> None:
    api.serve(SEARCH_PATH, answer(comment(1, 99_999_999_999), comment(2, 1714984200)))
    etag = collect(api, context).etag
    assert etag is not None
    assert etag.startswith("hn:1714984200:")


def test_a_full_page_is_followed_by_the_next_pages_up_to_a_bound(
    api: SearchServer, context: CollectContext
) -> None:
    for page in range(MAX_PAGES + 1):
        hits = [comment(1000 * page + i, 1714984200 - page * 1000 - i) for i in range(100)]
        path = SEARCH_PATH if page == 0 else f"{SEARCH_PATH}?page={page}"
        api.serve(path, answer(*hits, pages=10))
    collected = collect(api, context)
    assert [params.get("page", "0") for params in api.requests] == ["0", "1", "2"]
    assert len(collected.items) == MAX_PAGES * HITS_PER_PAGE
    assert len({params["numericFilters"] for params in api.requests}) == 1


def test_a_short_page_is_the_last(api: SearchServer, context: CollectContext) -> None:
    api.serve(SEARCH_PATH, answer(comment(1, 1714984200), pages=5))
    collect(api, context)
    assert len(api.requests) == 1


def test_the_last_page_is_the_last_even_when_full(
    api: SearchServer, context: CollectContext
) -> None:
    api.serve(SEARCH_PATH, answer(*[comment(i, 1714984200 - i) for i in range(100)], pages=1))
    collect(api, context)
    assert len(api.requests) == 1


# --- odd and hostile answers ----------------------------------------------------------------------


def test_hits_without_a_usable_id_or_without_words_are_skipped_one_by_one(
    api: SearchServer, context: CollectContext
) -> None:
    api.serve(
        SEARCH_PATH,
        answer(
            1,
            "hit",
            None,
            [],
            {"objectID": "abc", "title": "not a number"},
            {"objectID": "1 OR 1", "title": "injection"},
            {"objectID": True, "title": "a boolean"},
            {"title": "no id"},
            {"objectID": "7", "comment_text": None, "story_title": "deleted comment"},
            {"objectID": "8", "title": ["a", "list"], "story_text": {"a": 1}, "url": 5},
            {"objectID": "9", "title": "kept", "author": 42, "created_at_i": "yesterday"},
            {"objectID": 10, "title": "a numeric id", "created_at_i": True},
        ),
    )
    items = collect(api, context).items
    assert [(i.source_item_id, i.title, i.author, i.published_at) for i in items] == [
        ("9", "kept", "", None),
        ("10", "a numeric id", "", None),
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<!DOCTYPE html><html><body>Algolia is down</body></html>", "HTML page, not JSON"),
        (b"{not json", "invalid JSON"),
        (b'{"hits": [{"title": "\xff\xfe"}]}', "invalid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "invalid JSON"),
        (b'{"hits": 1' + b"0" * 5000 + b"}", "invalid JSON"),
        (b"[]", "without a hits list"),
        (b'{"hits": {"0": {}}}', "without a hits list"),
        (b'{"message": "Invalid parameters", "status": 400}', "without a hits list"),
        (b"null", "without a hits list"),
    ],
)
def test_an_answer_that_is_not_a_search_result_is_a_clear_fetch_error(
    api: SearchServer, context: CollectContext, body: bytes, message: str
) -> None:
    api.serve(SEARCH_PATH, body, content_type="application/json")
    with pytest.raises(FetchError, match=message):
        collect(api, context)


def test_an_http_error_of_the_api_is_a_fetch_error(
    api: SearchServer, context: CollectContext
) -> None:
    api.serve(SEARCH_PATH, '{"message": "Too many requests"}', status=429, **{"Retry-After": "60"})
    with pytest.raises(FetchError) as caught:
        collect(api, context)
    assert caught.value.retry_after == 60


def test_huge_lists_and_texts_are_bounded(api: SearchServer, context: CollectContext) -> None:
    long_hit = {
        "objectID": "1",
        "title": "t " * 10_000,
        "story_text": "<p>" + "word " * 100_000,
        "author": "a" * 10_000,
        "created_at_i": 1714984200,
    }
    api.serve(SEARCH_PATH, answer(long_hit, *[comment(i, 1714984200) for i in range(2, 5000)]))
    items = collect(api, context).items
    assert len(items) == HITS_PER_PAGE
    assert len(items[0].title) <= MAX_TITLE
    assert len(items[0].text) <= MAX_TEXT
    assert len(items[0].author) <= MAX_AUTHOR


def test_deep_nesting_inside_a_hit_is_no_problem(
    api: SearchServer, context: CollectContext
) -> None:
    nested: Any = "x"
    for _ in range(500):
        nested = {"a": nested}
    api.serve(SEARCH_PATH, answer({"objectID": "3", "title": "ok", "_highlightResult": nested}))
    assert [item.title for item in collect(api, context).items] == ["ok"]


# --- which urls and searches a source accepts --------------------------------------------------


def test_a_search_page_copied_from_hn_algolia_asks_the_api_for_its_words() -> None:
    search = search_of("https://hn.algolia.com/?q=stroomlijn", None)
    assert (search.endpoint, search.query, search.tags) == (
        DEFAULT_URL,
        "stroomlijn",
        "(story,comment)",
    )


def test_a_search_page_with_a_type_asks_for_that_type_only() -> None:
    url = "https://hn.algolia.com/?dateRange=all&page=0&prefix=false&query=acme&sort=byDate&type=comment"
    assert search_of(url, None).tags == "comment"


def test_the_search_setting_wins_over_the_words_of_a_search_page() -> None:
    assert search_of("https://hn.algolia.com/?q=old", "new").query == "new"


def test_the_relevance_endpoint_is_read_newest_first() -> None:
    search = search_of("https://hn.algolia.com/api/v1/search", "acme")
    assert search.endpoint == DEFAULT_URL


def test_the_default_url_is_the_search_by_date_endpoint() -> None:
    assert HackerNewsAdapter.default_url == "https://hn.algolia.com/api/v1/search_by_date"
    assert isinstance(adapter_for("hackernews"), HackerNewsAdapter)


def hn_source(**keys: Any) -> dict[str, Any]:
    return {"name": "hn", "type": "hackernews", **keys}


def test_a_source_with_search_and_no_url_uses_the_api() -> None:
    settings = settings_from_mapping({"sources": [hn_source(search="stroomlijn")]})
    assert settings.sources[0].url == DEFAULT_URL


def test_a_source_with_a_copied_search_page_needs_no_search() -> None:
    settings_from_mapping({"sources": [hn_source(url="https://hn.algolia.com/?q=acme")]})


def test_a_source_without_search_words_names_the_search_key() -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_mapping({"sources": [hn_source()]}, origin="site.toml")
    assert str(caught.value) == (
        "site.toml: sources[0].search: required for hackernews sources: the words to look for, "
        'e.g. search = "acme"'
    )


def test_a_url_that_is_not_the_search_api_names_the_url_key() -> None:
    with pytest.raises(ConfigError, match=r"sources\[0\]\.url: expected the Algolia HN Search"):
        settings_from_mapping(
            {"sources": [hn_source(url="https://news.ycombinator.com/news", search="acme")]}
        )
