"""Mastodon without a token: a hashtag or an account, asked only for what is new since last time."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from monitor.config import settings_from_mapping
from monitor.errors import ConfigError, FetchError
from monitor.fetch import Fetcher, FetchPolicy
from monitor.sources import adapter_for
from monitor.sources.base import CollectContext, Collected, Item, SourceRequest
from monitor.sources.feed import read_feed
from monitor.sources.mastodon import (
    MAX_PAGES,
    PAGE_SIZE,
    RATE_WINDOW,
    MastodonAdapter,
    Target,
    status_to_item,
    target_of,
)
from monitor.text import MAX_AUTHOR, MAX_TEXT
from tests.conftest import FeedServer

FIXTURES = Path(__file__).parent / "fixtures" / "mastodon"
TAG = "/api/v1/timelines/tag/stroomlijn?limit=40"
LOOKUP = "/api/v1/accounts/lookup?acct=energiewaakhond"
ACCOUNT = "/api/v1/accounts/109300000000000777/statuses?limit=40&exclude_reblogs=true"
NEWEST = "112398765432100003"
JSON = "application/json; charset=utf-8"


@pytest.fixture(scope="module")
def context() -> Iterator[CollectContext]:
    """One real fetcher for the module, as the collector shares one between its threads."""
    fetcher = Fetcher(FetchPolicy(allow_private_addresses=True))
    yield CollectContext(fetcher=fetcher, read_feed=read_feed)
    fetcher.close()


def serve(server: FeedServer, path: str, body: Any, **headers: Any) -> None:
    data = (FIXTURES / body).read_bytes() if isinstance(body, str) else body
    if not isinstance(data, bytes):
        data = json.dumps(data).encode()
    server.serve(path, data, content_type=JSON, **headers)


def collect(
    server: FeedServer,
    context: CollectContext,
    path: str = "/tags/stroomlijn",
    *,
    etag: str | None = None,
    search: str | None = None,
) -> Collected:
    source = SourceRequest(
        name="mastodon-stroomlijn",
        type="mastodon",
        url=server.base_url + path,
        etag=etag,
        options={"search": search} if search else {},
    )
    return MastodonAdapter().collect(source, context)


def status(status_id: str, text: str = "Stroomlijn storing", **fields: Any) -> dict[str, Any]:
    return {
        "id": status_id,
        "created_at": "2024-05-06T08:00:00.000Z",
        "content": f"<p>{text}</p>",
        "spoiler_text": "",
        "language": "nl",
        "url": f"https://social.example.nl/@klant/{status_id}",
        "account": {"id": "1", "username": "klant", "acct": "klant"},
        **fields,
    }


# --- a hashtag ------------------------------------------------------------------------------------


def test_posts_under_a_hashtag_become_items(
    feed_server: FeedServer, context: CollectContext
) -> None:
    serve(feed_server, TAG, "tag_timeline.json")
    local, remote, without_url = collect(feed_server, context).items
    assert local == Item(
        source_item_id=NEWEST,
        url="https://social.example.nl/@annekevdb/112398765432100003",
        title="",
        text=(
            "Al drie dagen geen warm water en @stroomlijn reageert niet op de storingsmelding. "
            "Wie weet een direct nummer?\n#stroomlijn #storing"
        ),
        author="annekevdb@127.0.0.1",
        published_at=datetime(2024, 5, 6, 8, 45, 12, tzinfo=UTC),
        language_hint="nl",
    )
    assert remote.author == "jpeters@fosstodon.example"
    assert remote.language_hint == "en"
    assert without_url.url == "https://social.example.be/users/els/statuses/998877"
    assert without_url.language_hint is None


def test_a_content_warning_comes_before_the_post(
    feed_server: FeedServer, context: CollectContext
) -> None:
    serve(feed_server, TAG, "tag_timeline.json")
    remote = collect(feed_server, context).items[1]
    assert remote.text == (
        "energy bill rant\n\nStroomlijn charged me twice for April.\nSecond time this year. "
        "#stroomlijn"
    )


def test_the_first_check_reads_the_newest_page_and_bookmarks_the_newest_post(
    feed_server: FeedServer, context: CollectContext
) -> None:
    serve(feed_server, TAG, [status(str(100 + i)) for i in range(PAGE_SIZE)])
    collected = collect(feed_server, context)
    assert len(collected.items) == PAGE_SIZE
    assert collected.etag == f"#stroomlijn|{100 + PAGE_SIZE - 1}"
    assert feed_server.routes[TAG].hits == 1  # a first check never pages back


def test_the_next_check_asks_only_for_posts_newer_than_the_bookmark(
    feed_server: FeedServer, context: CollectContext
) -> None:
    serve(feed_server, f"{TAG}&since_id={NEWEST}", [status("112398765432100009")])
    collected = collect(feed_server, context, etag=f"#stroomlijn|{NEWEST}")
    assert [item.source_item_id for item in collected.items] == ["112398765432100009"]
    assert collected.etag == "#stroomlijn|112398765432100009"


def test_a_check_without_new_posts_keeps_the_bookmark(
    feed_server: FeedServer, context: CollectContext
) -> None:
    serve(feed_server, f"{TAG}&since_id={NEWEST}", [])
    collected = collect(feed_server, context, etag=f"#stroomlijn|{NEWEST}")
    assert collected.items == []
    assert collected.etag == f"#stroomlijn|{NEWEST}"


def test_ids_are_compared_as_numbers_not_as_text(
    feed_server: FeedServer, context: CollectContext
) -> None:
    serve(feed_server, f"{TAG}&since_id=99", [status("100"), status("99")])
    assert collect(feed_server, context, etag="#stroomlijn|99").etag == "#stroomlijn|100"


def test_a_burst_is_read_back_page_by_page_up_to_a_bound(
    feed_server: FeedServer, context: CollectContext
) -> None:
    since = f"{TAG}&since_id=1000"
    for page in range(MAX_PAGES + 1):
        top = 5000 - page * PAGE_SIZE
        path = since if page == 0 else f"{since}&max_id={top + 1}"
        serve(feed_server, path, [status(str(top - i)) for i in range(PAGE_SIZE)])
    collected = collect(feed_server, context, etag="#stroomlijn|1000")
    assert len(collected.items) == MAX_PAGES * PAGE_SIZE
    assert collected.etag == "#stroomlijn|5000"
    assert feed_server.routes[f"{since}&max_id={5000 - MAX_PAGES * PAGE_SIZE + 1}"].hits == 0


def test_a_bookmark_for_another_hashtag_is_ignored(
    feed_server: FeedServer, context: CollectContext
) -> None:
    serve(feed_server, TAG, "tag_timeline.json")
    collected = collect(feed_server, context, etag="#anderemerk|112398765432100099")
    assert collected.etag == f"#stroomlijn|{NEWEST}"


def test_an_instance_with_a_hashtag_search_reads_the_same_timeline(
    feed_server: FeedServer, context: CollectContext
) -> None:
    serve(feed_server, TAG, "tag_timeline.json")
    assert len(collect(feed_server, context, "/", search="#stroomlijn").items) == 3


def test_a_hashtag_with_letters_beyond_ascii_is_asked_for_encoded(
    feed_server: FeedServer, context: CollectContext
) -> None:
    serve(feed_server, "/api/v1/timelines/tag/caf%C3%A9?limit=40", [status("1")])
    assert len(collect(feed_server, context, "/tags/caf%C3%A9").items) == 1


# --- an account -----------------------------------------------------------------------------------


def test_an_account_is_looked_up_by_name_and_its_own_posts_read(
    feed_server: FeedServer, context: CollectContext
) -> None:
    serve(feed_server, LOOKUP, "account_lookup.json")
    serve(feed_server, ACCOUNT, "account_statuses.json")
    collected = collect(feed_server, context, "/@energiewaakhond")
    assert [(i.source_item_id, i.author) for i in collected.items] == [
        ("112399000000000020", "energiewaakhond@127.0.0.1"),
        ("112398000000000010", "energiewaakhond@127.0.0.1"),
    ]
    assert collected.items[0].text.startswith("Na tientallen meldingen over dubbele")
    assert collected.etag == "@energiewaakhond|112399000000000020"


def test_the_next_check_of_an_account_asks_only_for_newer_posts(
    feed_server: FeedServer, context: CollectContext
) -> None:
    serve(feed_server, LOOKUP, "account_lookup.json")
    serve(feed_server, f"{ACCOUNT}&since_id=112399000000000020", [])
    collected = collect(
        feed_server, context, "/@energiewaakhond", etag="@energiewaakhond|112399000000000020"
    )
    assert collected.etag == "@energiewaakhond|112399000000000020"
    assert feed_server.routes[f"{ACCOUNT}&since_id=112399000000000020"].hits == 1


def test_an_instance_with_an_account_search_reads_that_account(
    feed_server: FeedServer, context: CollectContext
) -> None:
    serve(feed_server, LOOKUP, "account_lookup.json")
    serve(feed_server, ACCOUNT, "account_statuses.json")
    assert len(collect(feed_server, context, "", search="@energiewaakhond").items) == 2


def test_a_boost_counts_as_the_post_it_boosts(
    feed_server: FeedServer, context: CollectContext
) -> None:
    boosted = status(
        "555",
        "Stroomlijn: storing in Utrecht verholpen",
        account={"acct": "stroomlijn@energie.example"},
        url="https://energie.example/@stroomlijn/555",
    )
    serve(feed_server, TAG, [status("900", "", reblog=boosted)])
    collected = collect(feed_server, context)
    [item] = collected.items
    assert (item.source_item_id, item.author, item.url) == (
        "555",
        "stroomlijn@energie.example",
        "https://energie.example/@stroomlijn/555",
    )
    assert collected.etag == "#stroomlijn|900"


def test_an_account_that_does_not_exist_says_so(
    feed_server: FeedServer, context: CollectContext
) -> None:
    not_found = {"error": "Record not found"}
    serve(feed_server, "/api/v1/accounts/lookup?acct=niemand", not_found, status=404)
    with pytest.raises(FetchError, match=r"no account @niemand on 127\.0\.0\.1 \(HTTP 404\)"):
        collect(feed_server, context, "/@niemand")


def test_a_lookup_without_an_id_is_a_fetch_error(
    feed_server: FeedServer, context: CollectContext
) -> None:
    serve(feed_server, LOOKUP, {"id": "../../admin", "acct": "energiewaakhond"})
    with pytest.raises(FetchError, match="did not answer the account lookup with an id"):
        collect(feed_server, context, "/@energiewaakhond")


# --- errors and rate limits -----------------------------------------------------------------------


def test_an_instance_that_hides_timelines_from_strangers_says_so(
    feed_server: FeedServer, context: CollectContext
) -> None:
    body = {"error": "This method requires an authenticated user"}
    feed_server.serve(TAG, json.dumps(body), status=422, content_type=JSON)
    with pytest.raises(FetchError, match=r"shows #stroomlijn only to logged-in users \(HTTP 422\)"):
        collect(feed_server, context)


def test_a_rate_limited_answer_without_retry_after_waits_one_window(
    feed_server: FeedServer, context: CollectContext
) -> None:
    reset = (datetime.now(UTC) + timedelta(seconds=90)).isoformat()
    feed_server.serve(
        TAG,
        '{"error": "Too many requests"}',
        status=429,
        content_type=JSON,
        **{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
    )
    with pytest.raises(FetchError) as caught:
        collect(feed_server, context)
    assert (caught.value.status, caught.value.retry_after) == (429, RATE_WINDOW)


def test_a_rate_limited_answer_with_retry_after_keeps_it(
    feed_server: FeedServer, context: CollectContext
) -> None:
    feed_server.serve(TAG, "{}", status=429, content_type=JSON, **{"Retry-After": "42"})
    with pytest.raises(FetchError) as caught:
        collect(feed_server, context)
    assert caught.value.retry_after == 42


# Computed when the test runs: a reset time fixed at collection would be stale by then.
RESET_IN_TWO_MINUTES = {
    "mastodon-iso": lambda: (datetime.now(UTC) + timedelta(seconds=120)).isoformat(
        timespec="microseconds"
    ),
    "gotosocial-unix": lambda: str(int(time.time()) + 120),
}


@pytest.mark.parametrize("form", list(RESET_IN_TWO_MINUTES))
def test_few_requests_left_ask_to_wait_until_the_limit_resets(
    feed_server: FeedServer, context: CollectContext, form: str
) -> None:
    reset = RESET_IN_TWO_MINUTES[form]()
    serve(feed_server, TAG, [], **{"X-RateLimit-Remaining": "3", "X-RateLimit-Reset": reset})
    wait = collect(feed_server, context).min_interval
    assert wait is not None
    assert 60 < wait <= 120


def test_plenty_of_requests_left_ask_for_nothing(
    feed_server: FeedServer, context: CollectContext
) -> None:
    reset = (datetime.now(UTC) + timedelta(seconds=120)).isoformat()
    serve(feed_server, TAG, [], **{"X-RateLimit-Remaining": "290", "X-RateLimit-Reset": reset})
    assert collect(feed_server, context).min_interval is None


# --- odd and hostile answers ----------------------------------------------------------------------


def test_posts_of_the_wrong_shape_or_without_words_are_skipped_one_by_one(
    feed_server: FeedServer, context: CollectContext
) -> None:
    serve(
        feed_server,
        TAG,
        [
            1,
            "post",
            None,
            [],
            {"id": "1", "content": ""},
            {"id": "2", "content": ["<p>a list</p>"], "spoiler_text": 7},
            {"id": "3", "content": "<p>   </p>"},
            status(
                "4",
                "kept",
                account="not a dict",
                url="javascript:alert(1)",
                uri=5,
                language="dutch!",
                created_at="yesterday",
            ),
            status("5", "no id either", id={"x": 1}),
        ],
    )
    collected = collect(feed_server, context)
    assert [(i.source_item_id, i.text, i.author, i.url) for i in collected.items] == [
        ("4", "kept", "", None),
        (None, "no id either", "klant@127.0.0.1", "https://social.example.nl/@klant/5"),
    ]
    assert collected.items[0].published_at is None
    assert collected.items[0].language_hint is None
    assert collected.etag == "#stroomlijn|4"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<!DOCTYPE html><html><body>Welcome to nginx</body></html>", "HTML page, not JSON"),
        (b"{not json", "invalid JSON"),
        (b'[{"content": "\xff"}]', "invalid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "invalid JSON"),
        (b'{"error": "Record not found"}', "without a list of posts"),
        (b'"hello"', "without a list of posts"),
    ],
)
def test_an_answer_that_is_not_a_timeline_is_a_clear_fetch_error(
    feed_server: FeedServer, context: CollectContext, body: bytes, message: str
) -> None:
    serve(feed_server, TAG, body)
    with pytest.raises(FetchError, match=message):
        collect(feed_server, context)


def test_huge_lists_and_texts_are_bounded(feed_server: FeedServer, context: CollectContext) -> None:
    huge = status(
        "9999",
        "woord " * 100_000,
        spoiler_text="let op " * 1000,
        account={"acct": "a" * 10_000},
    )
    serve(feed_server, TAG, [huge, *[status(str(i)) for i in range(5000)]])
    items = collect(feed_server, context).items
    assert len(items) == PAGE_SIZE
    assert len(items[0].text) <= MAX_TEXT
    assert len(items[0].author) <= MAX_AUTHOR


# --- which urls and searches a source accepts --------------------------------------------------


@pytest.mark.parametrize(
    ("url", "search", "expected"),
    [
        ("https://mastodon.social/tags/stroomlijn", None, ("tag", "stroomlijn")),
        ("https://mastodon.social/tags/stroomlijn/", None, ("tag", "stroomlijn")),
        ("https://mastodon.social/web/tags/stroomlijn", None, ("tag", "stroomlijn")),
        ("https://mastodon.social/tags/caf%C3%A9", None, ("tag", "café")),
        ("https://mastodon.social/api/v1/timelines/tag/stroomlijn", None, ("tag", "stroomlijn")),
        ("https://mastodon.social/@stroomlijn", None, ("account", "stroomlijn")),
        ("https://mastodon.social/@stroomlijn/with_replies", None, ("account", "stroomlijn")),
        (
            "https://mastodon.social/@els@social.example.be",
            None,
            ("account", "els@social.example.be"),
        ),
        ("https://mastodon.social/users/stroomlijn", None, ("account", "stroomlijn")),
        ("https://mastodon.social", "#stroomlijn", ("tag", "stroomlijn")),
        ("https://mastodon.social/", " @stroomlijn ", ("account", "stroomlijn")),
        (
            "https://mastodon.social/",
            "@jan@fosstodon.example",
            ("account", "jan@fosstodon.example"),
        ),
    ],
)
def test_what_a_person_copies_from_the_browser_is_understood(
    url: str, search: str | None, expected: tuple[str, str]
) -> None:
    target = target_of(url, search)
    assert (target.kind, target.name) == expected
    assert target.instance == "https://mastodon.social"


def test_the_instance_keeps_its_port_and_drops_a_login() -> None:
    target = target_of("http://user:secret@127.0.0.1:8443/tags/x", None)
    assert target == Target("http://127.0.0.1:8443", "tag", "x")


def test_there_is_no_default_url() -> None:
    assert MastodonAdapter.default_url is None
    assert isinstance(adapter_for("mastodon"), MastodonAdapter)


def mastodon_source(**keys: Any) -> dict[str, Any]:
    return {"name": "mastodon", "type": "mastodon", **keys}


def config_error(**keys: Any) -> str:
    with pytest.raises(ConfigError) as caught:
        settings_from_mapping({"sources": [mastodon_source(**keys)]}, origin="site.toml")
    return str(caught.value).removeprefix("site.toml: ")


def test_plain_words_are_refused_with_the_way_to_use_a_hashtag_or_account() -> None:
    assert config_error(url="https://mastodon.social", search="stroomlijn storing") == (
        "sources[0].search: most Mastodon instances search the text of posts only for "
        'logged-in users; use a hashtag (search = "#acme") or an account (search = "@acme")'
    )


def test_an_instance_without_search_names_the_search_key() -> None:
    assert config_error(url="https://mastodon.social").startswith(
        "sources[0].search: required when the url is an instance alone"
    )


def test_a_url_and_a_search_that_both_name_a_target_are_refused() -> None:
    assert config_error(url="https://mastodon.social/tags/a", search="#b").startswith(
        "sources[0].search: the url already names #a; leave search out"
    )


@pytest.mark.parametrize("search", ["#two tags", "#", "@", "@a b"])
def test_a_search_that_is_not_one_hashtag_or_account_names_the_search_key(search: str) -> None:
    assert config_error(url="https://mastodon.social", search=search).startswith(
        "sources[0].search: expected one "
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://mastodon.social/@stroomlijn/112398765432100003",
        "https://mastodon.social/explore",
        "https://mastodon.social/tags/two%20words",
    ],
)
def test_a_url_that_names_no_hashtag_or_account_names_the_url_key(url: str) -> None:
    assert config_error(url=url).startswith("sources[0].url: expected ")


def test_a_source_without_url_names_the_url_key() -> None:
    assert config_error(search="#stroomlijn") == (
        "sources[0].url: required for sources of type 'mastodon'"
    )


def test_a_hashtag_page_needs_no_search() -> None:
    settings = settings_from_mapping(
        {"sources": [mastodon_source(url="https://mastodon.social/tags/stroomlijn")]}
    )
    assert settings.sources[0].url == "https://mastodon.social/tags/stroomlijn"


@pytest.mark.parametrize(
    ("language", "hint"), [("en-GB", "en"), ("NL", "nl"), ("fil", None), ("", None), (7, None)]
)
def test_the_language_hint_is_the_two_letter_code(language: Any, hint: str | None) -> None:
    item = status_to_item(status("1", language=language), "social.example.nl")
    assert item is not None
    assert item.language_hint == hint
