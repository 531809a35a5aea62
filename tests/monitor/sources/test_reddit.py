"""Reddit: subreddits, users and searches become JSON listings; posts and comments become Items."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.config import settings_from_mapping
from monitor.errors import ConfigError, FetchError
from monitor.fetch import Fetcher, FetchPolicy
from monitor.sources import adapter_for
from monitor.sources.base import CollectContext, Item, SourceRequest
from monitor.sources.feed import read_feed
from monitor.sources.reddit import MAX_ITEMS, listing_url, parse_listing
from monitor.text import MAX_TITLE
from tests.conftest import FeedServer

FIXTURES = Path(__file__).parent / "fixtures" / "reddit"
NEW = (FIXTURES / "new.json").read_bytes()
COMMENTS = (FIXTURES / "comments.json").read_bytes()
SEARCH = (FIXTURES / "search.json").read_bytes()
JSON = "application/json; charset=UTF-8"
USER_AGENT = "WebcareTriage/0.1 (test)"


@pytest.fixture
def context() -> Iterator[CollectContext]:
    fetcher = Fetcher(FetchPolicy(allow_private_addresses=True, user_agent=USER_AGENT))
    yield CollectContext(fetcher=fetcher, read_feed=read_feed)
    fetcher.close()


def request(url: str, *, headers: dict[str, str] | None = None, **options: Any) -> SourceRequest:
    return SourceRequest(
        name="reddit-acme", type="reddit", url=url, headers=headers or {}, options=options
    )


def config_error(**source: Any) -> str:
    with pytest.raises(ConfigError) as caught:
        settings_from_mapping({"sources": [{"name": "reddit-acme", "type": "reddit", **source}]})
    return str(caught.value).removeprefix("<config>: ")


def sent_headers(server: FeedServer, path: str) -> dict[str, str]:
    """The headers of the one request made to path, by lower-case name."""
    [sent] = server.routes[path].request_headers
    return {name.lower(): value for name, value in sent.items()}


def listing(*children: Any) -> bytes:
    return json.dumps({"kind": "Listing", "data": {"children": list(children)}}).encode()


def post(**data: Any) -> dict[str, Any]:
    return {"kind": "t3", "data": {"title": "Acme Bank", "name": "t3_abc123", **data}}


# --- which listing a config means ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "search", "expected"),
    [
        (
            "https://www.reddit.com/r/thenetherlands",
            None,
            "https://www.reddit.com/r/thenetherlands/new.json?limit=100",
        ),
        (
            "https://www.reddit.com/r/thenetherlands/new/",
            None,
            "https://www.reddit.com/r/thenetherlands/new.json?limit=100",
        ),
        (
            "https://old.reddit.com/r/geldzaken/comments/",
            None,
            "https://old.reddit.com/r/geldzaken/comments.json?limit=100",
        ),
        (
            "https://www.reddit.com/r/geldzaken+thenetherlands",
            None,
            "https://www.reddit.com/r/geldzaken+thenetherlands/new.json?limit=100",
        ),
        (
            "https://www.reddit.com/search",
            "acme bank",
            "https://www.reddit.com/search.json?q=acme+bank&sort=new&limit=100",
        ),
        (
            "https://www.reddit.com/search/?q=%22acme+bank%22&type=link",
            None,
            "https://www.reddit.com/search.json?q=%22acme+bank%22&sort=new&limit=100",
        ),
        (
            "https://www.reddit.com/r/thenetherlands/",
            "acme bank",
            "https://www.reddit.com/r/thenetherlands/search.json"
            "?q=acme+bank&restrict_sr=1&sort=new&limit=100",
        ),
        (
            "https://www.reddit.com/r/thenetherlands/search/?q=acme&restrict_sr=1",
            None,
            "https://www.reddit.com/r/thenetherlands/search.json"
            "?q=acme&restrict_sr=1&sort=new&limit=100",
        ),
        (
            "https://www.reddit.com/user/acmebank_official/",
            None,
            "https://www.reddit.com/user/acmebank_official.json?limit=100",
        ),
        (
            "https://www.reddit.com/r/thenetherlands/new/.rss?sort=new",
            None,
            "https://www.reddit.com/r/thenetherlands/new/.json?sort=new",
        ),
        (
            "https://www.reddit.com/search.json?q=acme&sort=top&t=day",
            None,
            "https://www.reddit.com/search.json?q=acme&sort=top&t=day",
        ),
    ],
)
def test_a_reddit_url_and_search_name_one_json_listing(
    url: str, search: str | None, expected: str
) -> None:
    assert listing_url(url, search) == expected
    assert listing_url(expected, None) == expected  # what it fetches is accepted back as is


def test_a_reddit_source_with_only_a_search_is_valid_config() -> None:
    settings = settings_from_mapping(
        {"sources": [{"name": "reddit-acme", "type": "reddit", "search": "acme bank"}]}
    )
    assert settings.sources[0].url == "https://www.reddit.com/search"


def test_a_reddit_source_without_url_or_search_names_the_search_key() -> None:
    assert config_error() == (
        'sources[0].search: give the words to search for (search = "acme bank") or a subreddit '
        "URL such as https://www.reddit.com/r/NAME"
    )


def test_a_reddit_thread_url_is_refused_with_the_forms_that_work() -> None:
    url = "https://www.reddit.com/r/geldzaken/comments/1ckz8m2/welke_bank/"
    assert config_error(url=url).startswith(
        "sources[0].url: expected a subreddit URL such as https://www.reddit.com/r/NAME"
    )


def test_a_search_beside_an_explicit_json_url_names_the_search_key() -> None:
    message = config_error(url="https://www.reddit.com/r/geldzaken/new.json", search="acme")
    assert message.startswith("sources[0].search: a .json or .rss URL is fetched as it stands")


# --- collecting ---------------------------------------------------------------------------------


def test_a_subreddits_newest_posts_become_items(
    feed_server: FeedServer, context: CollectContext
) -> None:
    feed_server.serve("/r/thenetherlands/new.json?limit=100", NEW, content_type=JSON)
    collected = adapter_for("reddit").collect(
        request(feed_server.base_url + "/r/thenetherlands"), context
    )
    first, second = collected.items  # the removed post with no title is left out
    assert first == Item(
        source_item_id="t3_1cl2x9q",
        url="https://www.reddit.com/r/thenetherlands/comments/1cl2x9q/"
        "acme_bank_storing_app_pinnen_werken_niet/",
        title="Acme Bank storing? App & pinnen werken niet",
        text='Sinds vanochtend kan ik niet meer inloggen in de app van Acme Bank. Krijg steeds "er '
        'ging iets mis". Pinnen in de winkel lukte ook niet.\n\nIemand anders hetzelfde? '
        "Klantenservice is > 45 minuten wachten.",
        author="u/fietsenmaker_utrecht",
        published_at=datetime(2024, 5, 6, 7, 10, 12, tzinfo=UTC),
    )
    # A link post has no text of its own; a deleted author is no author.
    assert (second.title, second.text, second.author) == (
        "Acme Bank sluit tien kantoren in Drenthe",
        "",
        "",
    )
    assert second.published_at == datetime(2024, 5, 6, 6, 0, tzinfo=UTC)
    assert collected.bytes_read == len(NEW)


def test_a_subreddits_newest_comments_become_items_without_a_title(
    feed_server: FeedServer, context: CollectContext
) -> None:
    feed_server.serve("/r/geldzaken/comments.json?limit=100", COMMENTS, content_type=JSON)
    items = (
        adapter_for("reddit")
        .collect(request(feed_server.base_url + "/r/geldzaken/comments"), context)
        .items
    )
    assert items == [
        Item(
            source_item_id="t1_l2u9f3d",
            url="https://www.reddit.com/r/geldzaken/comments/1ckz8m2/welke_bank_raden_jullie_aan/"
            "l2u9f3d/",
            title="",
            text="Ik zit al 6 jaar bij Acme Bank en ben heel tevreden. Ze reageerden binnen een "
            "uur op mijn vraag via de chat.",
            author="u/boekhouder_jan",
            published_at=datetime(2024, 5, 6, 7, 40, 34, tzinfo=UTC),
        )
    ]  # the deleted comment is left out


def test_a_reddit_search_finds_the_newest_posts(
    feed_server: FeedServer, context: CollectContext
) -> None:
    feed_server.serve("/search.json?q=acme+bank&sort=new&limit=100", SEARCH, content_type=JSON)
    [item] = (
        adapter_for("reddit")
        .collect(request(feed_server.base_url + "/search", search="acme bank"), context)
        .items
    )
    assert item.title == "Acme Bank froze my account after first salary deposit"
    assert item.text.endswith(
        'want "proof of origin of funds". Is this normal? How long does it usually take?'
    )
    assert item.author == "u/expat_in_rotterdam"


def test_reddit_is_asked_for_json_with_the_configured_user_agent(
    feed_server: FeedServer, context: CollectContext
) -> None:
    feed_server.serve("/r/thenetherlands/new.json?limit=100", NEW, content_type=JSON)
    adapter_for("reddit").collect(request(feed_server.base_url + "/r/thenetherlands"), context)
    sent = sent_headers(feed_server, "/r/thenetherlands/new.json?limit=100")
    assert sent["user-agent"] == USER_AGENT
    assert sent["accept"] == "application/json"


def test_a_sources_own_headers_override_the_user_agent_and_accept(
    feed_server: FeedServer, context: CollectContext
) -> None:
    feed_server.serve("/r/thenetherlands/new.json?limit=100", NEW, content_type=JSON)
    headers = {"user-agent": "acme-webcare/1.0 (by u/acmebank_webcare)", "accept": "*/*"}
    source = request(feed_server.base_url + "/r/thenetherlands", headers=headers)
    adapter_for("reddit").collect(source, context)
    sent = sent_headers(feed_server, "/r/thenetherlands/new.json?limit=100")
    assert sent["user-agent"] == "acme-webcare/1.0 (by u/acmebank_webcare)"
    assert sent["accept"] == "*/*"


def test_a_429_from_reddit_is_a_fetch_error_that_says_when_to_retry(
    feed_server: FeedServer, context: CollectContext
) -> None:
    feed_server.serve(
        "/r/thenetherlands/new.json?limit=100",
        b'{"message": "Too Many Requests", "error": 429}',
        status=429,
        content_type=JSON,
        **{"Retry-After": "120"},
    )
    with pytest.raises(FetchError) as caught:
        adapter_for("reddit").collect(request(feed_server.base_url + "/r/thenetherlands"), context)
    assert (caught.value.status, caught.value.retry_after) == (429, 120.0)


def test_a_403_from_reddit_says_how_to_get_unblocked(
    feed_server: FeedServer, context: CollectContext
) -> None:
    feed_server.serve("/r/thenetherlands/new.json?limit=100", b"blocked", status=403)
    with pytest.raises(FetchError) as caught:
        adapter_for("reddit").collect(request(feed_server.base_url + "/r/thenetherlands"), context)
    assert caught.value.status == 403
    assert "descriptive User-Agent" in str(caught.value)


def test_reddits_block_page_is_a_fetch_error_not_an_empty_listing(
    feed_server: FeedServer, context: CollectContext
) -> None:
    page = b"<!doctype html><html><head><title>Blocked</title></head><body>whoa there</body></html>"
    feed_server.serve("/r/thenetherlands/new.json?limit=100", page, content_type="text/html")
    with pytest.raises(FetchError, match="HTML page, not a JSON listing"):
        adapter_for("reddit").collect(request(feed_server.base_url + "/r/thenetherlands"), context)


# --- hostile listings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "invalid JSON"),
        (b"{not json", "invalid JSON"),
        (b"\xff\xfe{}", "invalid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "invalid JSON"),
        (b"1" * 5000, "invalid JSON"),
        (b"[]", "an empty JSON list"),
        (b"42", "no data.children list"),
        (b'"Listing"', "no data.children list"),
        (b'{"kind": "Listing"}', "no data.children list"),
        (b'{"kind": "Listing", "data": []}', "no data.children list"),
        (b'{"kind": "Listing", "data": {"children": {"0": {}}}}', "no data.children list"),
        (b'[{"data": {"children": []}}, 7]', "no data.children list"),
    ],
)
def test_a_document_that_is_not_a_listing_is_a_fetch_error_with_the_reason(
    body: bytes, reason: str
) -> None:
    with pytest.raises(FetchError, match=f"^not a Reddit listing: {reason}"):
        parse_listing(body)


def test_children_of_the_wrong_shape_are_skipped() -> None:
    body = listing(
        None,
        1,
        "t3_abc",
        [],
        {"kind": "t5", "data": {"title": "a subreddit, not a post"}},
        {"kind": "t3"},
        {"kind": "t3", "data": ["title"]},
        post(title="Acme Bank is weer bereikbaar"),
    )
    assert [item.title for item in parse_listing(body)] == ["Acme Bank is weer bereikbaar"]


def test_fields_of_the_wrong_type_are_left_empty() -> None:
    body = listing(
        post(
            title="Acme Bank",
            selftext=["not", "text"],
            author={"name": "x"},
            permalink="https://evil.example/phish",
            created_utc="yesterday",
            name=12345,
        ),
        post(permalink="//evil.example/r/x", created_utc=True, name="t3_ABC!"),
        post(created_utc=float("nan"), author="has spaces in it"),
        post(created_utc=10**400),
    )
    first, second, third, fourth = parse_listing(body)
    assert first == Item(source_item_id=None, url=None, title="Acme Bank", text="")
    assert (second.url, second.published_at, second.source_item_id) == (None, None, None)
    assert (third.published_at, third.author) == (None, "has spaces in it")
    assert fourth.published_at is None


def test_a_huge_listing_gives_at_most_max_items() -> None:
    body = listing(*[post(name=f"t3_{i:x}") for i in range(MAX_ITEMS + 500)])
    assert len(parse_listing(body)) == MAX_ITEMS


def test_a_huge_title_and_text_are_bounded() -> None:
    [item] = parse_listing(listing(post(title="Acme " * 10_000, selftext="storing " * 100_000)))
    assert len(item.title) <= MAX_TITLE
    assert len(item.text) <= 20_000


def test_a_threads_post_and_comments_are_read_from_its_two_listings() -> None:
    thread = [
        {"kind": "Listing", "data": {"children": [post(title="Acme Bank app kapot")]}},
        {
            "kind": "Listing",
            "data": {"children": [{"kind": "t1", "data": {"body": "Hier ook", "name": "t1_x1"}}]},
        },
    ]
    items = parse_listing(json.dumps(thread).encode())
    assert [(item.title, item.text) for item in items] == [
        ("Acme Bank app kapot", ""),
        ("", "Hier ook"),
    ]


def test_markup_in_a_post_is_text_never_html() -> None:
    [item] = parse_listing(
        listing(post(title="<script>x</script>Acme", selftext="&lt;b&gt;vet&lt;/b&gt; <img src=x>"))
    )
    assert item.title == "Acme"
    assert item.text == "<b>vet</b>"


_FIELDS = ["title", "selftext", "body", "author", "permalink", "created_utc", "name"]
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, min_size=1, max_size=5)
        | st.dictionaries(
            st.sampled_from(["kind", "data", "children", *_FIELDS]), inner, min_size=1
        )
    ),
    max_leaves=30,
)
_child = _json | st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["t1", "t3", "t5"]),
        "data": _json | st.dictionaries(st.sampled_from(_FIELDS), _json),
    }
)
_listing = st.fixed_dictionaries(
    {"kind": st.just("Listing"), "data": st.fixed_dictionaries({"children": st.lists(_child)})}
)


@given(_json | _listing | st.lists(_listing, max_size=3))
def test_any_json_is_items_or_a_fetch_error(document: Any) -> None:
    try:
        items = parse_listing(json.dumps(document).encode())
    except FetchError:
        return
    assert all(isinstance(item, Item) for item in items)
