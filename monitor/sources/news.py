"""Google News and Bing News searches read as feeds, their redirect links unwrapped.

A `google_news` source takes `search = "acme bank"` and asks Google News for the Dutch edition
(hl=nl, gl=NL, ceid=NL:nl). To choose another edition, give the search page copied from the
browser as the url (https://news.google.com/search?q=...&hl=en-GB&gl=GB&ceid=GB:en): it is turned
into its RSS form, and `search`, when also given, replaces only its words. Feeds that are not a
search (https://news.google.com/rss/topics/..., Google Alerts feeds from
https://www.google.com/alerts/feeds/...) are read as they are.

A `bing_news` source does the same with https://www.bing.com/news/search?q=...&format=rss.

Both services wrap every link in a redirect through themselves; `unwrap_redirect` recovers the
article's own address, so one article is one mention whichever service found it, and the
block lists see the publisher's domain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from monitor.sources.base import CollectContext, Collected, Item, SourceRequest, require_http_url
from monitor.sources.feed import collect_feed
from monitor.sources.links import BING_HOSTS, unwrap_redirect

# The Dutch edition; a url that names an edition (any of hl, gl, ceid) keeps its own.
GOOGLE_NEWS_EDITION = (("hl", "nl"), ("gl", "NL"), ("ceid", "NL:nl"))
_SEARCH_NEEDED = (
    'search: give the words to search for (search = "acme bank"), or as the url a search page '
    'with ?q=; to read a feed that is not a search, use type = "rss"'
)


# --- building the feed URLs ---------------------------------------------------------------------


def _search(options: Mapping[str, Any]) -> str | None:
    value = str(options.get("search") or "").strip()
    return value or None


def _with_param(params: list[tuple[str, str]], key: str, value: str) -> list[tuple[str, str]]:
    """params with key set to value, first, once."""
    return [(key, value), *((k, v) for k, v in params if k != key)]


def _has(params: list[tuple[str, str]], key: str) -> bool:
    return any(name == key and value.strip() for name, value in params)


def _unsplit(url: str, path: str, params: list[tuple[str, str]]) -> str:
    parts = urlsplit(url)
    query = urlencode(params, safe=":")
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def _google_news_rss_path(path: str) -> str:
    """The RSS twin of a news.google.com page: the front page and /search become the search."""
    if path.startswith("/rss"):
        return path
    if path.rstrip("/") in ("", "/home", "/search"):
        return "/rss/search"
    return "/rss" + path


def google_news_feed_url(url: str, search: str | None) -> str:
    """The Google News RSS URL to fetch; ValueError (naming the key) when it cannot work."""
    require_http_url(url)
    parts = urlsplit(url)
    path = parts.path
    if (parts.hostname or "").lower() == "news.google.com":
        path = _google_news_rss_path(path)
    params = parse_qsl(parts.query, keep_blank_values=True)
    if search:
        params = _with_param(params, "q", search)
    if path.rstrip("/").endswith("/search") and not _has(params, "q"):
        raise ValueError(_SEARCH_NEEDED)
    if path.startswith("/rss") and not any(k in ("hl", "gl", "ceid") for k, _ in params):
        params += GOOGLE_NEWS_EDITION
    return _unsplit(url, path, params)


def bing_news_feed_url(url: str, search: str | None) -> str:
    """The Bing News RSS URL to fetch; ValueError (naming the key) when it cannot work."""
    require_http_url(url)
    parts = urlsplit(url)
    path = parts.path
    if (parts.hostname or "").lower() in BING_HOSTS and path.rstrip("/") in ("", "/news"):
        path = "/news/search"
    params = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "format"]
    if search:
        params = _with_param(params, "q", search)
    if path.rstrip("/").endswith("/search") and not _has(params, "q"):
        raise ValueError(_SEARCH_NEEDED)
    return _unsplit(url, path, [*params, ("format", "rss")])


# --- the items ----------------------------------------------------------------------------------


def _google_news_item(item: Item) -> Item:
    """Google News titles end in " - Publisher" and its description is the headline followed
    by the publisher: when both agree, the publisher becomes the author.

    Both must agree, so a headline with a dash of its own (or a Google Alerts entry, whose text
    is a snippet) keeps its title whole.
    """
    head, dash, publisher = item.title.rpartition(" - ")
    if dash and head and publisher.strip() and item.text.endswith(publisher):
        item = replace(item, title=head, author=item.author or publisher)
    return _unwrapped(item)


def _unwrapped(item: Item) -> Item:
    return replace(item, url=unwrap_redirect(item.url)) if item.url else item


class GoogleNewsAdapter:
    """A Google News search (or topic, or Google Alerts feed) as a feed."""

    default_url: str | None = "https://news.google.com/rss/search"

    def check(self, url: str, options: Mapping[str, Any]) -> None:
        google_news_feed_url(url, _search(options))

    def collect(self, source: SourceRequest, context: CollectContext) -> Collected:
        url = google_news_feed_url(source.url, _search(source.options))
        collected = collect_feed(source, context, url)
        collected.items = [_google_news_item(item) for item in collected.items]
        return collected


class BingNewsAdapter:
    """A Bing News search as a feed."""

    default_url: str | None = "https://www.bing.com/news/search"

    def check(self, url: str, options: Mapping[str, Any]) -> None:
        bing_news_feed_url(url, _search(options))

    def collect(self, source: SourceRequest, context: CollectContext) -> Collected:
        url = bing_news_feed_url(source.url, _search(source.options))
        collected = collect_feed(source, context, url)
        collected.items = [_unwrapped(item) for item in collected.items]
        return collected
