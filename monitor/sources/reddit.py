"""Reddit: a subreddit's newest posts or comments, or a search, from Reddit's public JSON listings.

The url may be a subreddit (https://www.reddit.com/r/NAME, /r/NAME/new, /r/NAME/comments for
its newest comments, /r/a+b for several), a user (/user/NAME), or an explicit .json or .rss
listing URL, which is fetched as JSON as it stands. With `search`, Reddit is searched for the
newest posts, within the url's subreddit when it names one.

Reddit serves these listings without a login, but blocks clients without a descriptive
User-Agent ([fetch] user_agent, or the source's own headers) and answers 429 when polled too
often; the fetcher turns that into a retry after the time Reddit asks for.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from monitor.errors import FetchError
from monitor.sources.base import (
    CollectContext,
    Collected,
    Item,
    SourceRequest,
    collected_from,
    require_http_url,
)
from monitor.text import MAX_AUTHOR, MAX_TEXT, MAX_TITLE, clean_line, html_to_text

REDDIT = "https://www.reddit.com"
PAGE_SIZE = 100  # the most Reddit returns in one listing
MAX_ITEMS = 1000  # a thread's .json holds several listings
MAX_LISTINGS = 10

_NAME = r"[A-Za-z0-9_]{2,50}"
_SUBREDDIT = re.compile(rf"/r/({_NAME}(?:\+{_NAME}){{0,50}})(?:/([a-z]+))?/?")
_USER = re.compile(r"/(?:u|user)/([A-Za-z0-9_-]{2,50})/?")
_LISTINGS = ("new", "hot", "top", "rising", "controversial", "comments")
_FULLNAME = re.compile(r"t[13]_[a-z0-9]{1,20}")
_AUTHOR = re.compile(r"[A-Za-z0-9_-]{1,50}")
_GONE = ("[deleted]", "[removed]")
_EXPECTED = (
    "expected a subreddit URL such as https://www.reddit.com/r/NAME (or /r/NAME/comments), a "
    "user URL, or a .json or .rss listing URL"
)
_SEARCH_NEEDED = (
    'search: give the words to search for (search = "acme bank") or a subreddit URL such as '
    "https://www.reddit.com/r/NAME"
)


def listing_url(url: str, search: str | None) -> str:
    """The JSON listing to fetch for a configured url and search; ValueError when none fits."""
    require_http_url(url)
    parts = urlsplit(url)
    path = parts.path
    params = parse_qsl(parts.query, keep_blank_values=True)
    if path.endswith((".json", ".rss")):
        if search:
            raise ValueError(
                "search: a .json or .rss URL is fetched as it stands; put the search in that "
                "URL, or give a subreddit URL"
            )
        json_path = path.removesuffix(".rss").removesuffix(".json") + ".json"
        return urlunsplit((parts.scheme, parts.netloc, json_path, parts.query, ""))

    def at(new_path: str, **query: str) -> str:
        return urlunsplit((parts.scheme, parts.netloc, new_path, urlencode(query), ""))

    subreddit = _SUBREDDIT.fullmatch(path)
    if subreddit:
        name, listing = subreddit.group(1), subreddit.group(2) or "new"
        words = search or (dict(params).get("q", "").strip() if listing == "search" else "")
        if words:
            query = {"q": words, "restrict_sr": "1", "sort": "new", "limit": str(PAGE_SIZE)}
            return at(f"/r/{name}/search.json", **query)
        if listing == "search":
            raise ValueError(_SEARCH_NEEDED)
        if listing not in _LISTINGS:
            raise ValueError(f"{_EXPECTED}; /r/{name}/{listing} is not one of its listings")
        return at(f"/r/{name}/{listing}.json", limit=str(PAGE_SIZE))
    user = _USER.fullmatch(path)
    if user:
        if search:
            raise ValueError("search: Reddit cannot search one user's posts; remove search")
        return at(f"/user/{user.group(1)}.json", limit=str(PAGE_SIZE))
    if path.rstrip("/") in ("", "/search"):
        words = search or dict(params).get("q", "").strip()
        if not words:
            raise ValueError(_SEARCH_NEEDED)
        return at("/search.json", q=words, sort="new", limit=str(PAGE_SIZE))
    raise ValueError(f"{_EXPECTED}, got {url!r}")


# --- reading a listing --------------------------------------------------------------------------


def parse_listing(body: bytes) -> list[Item]:
    """Posts (t3) and comments (t1) of a Reddit listing, or of the listings of a thread.

    Anything else in the document is skipped; a document that is not a listing at all is a
    FetchError with the reason.
    """
    if body[:512].lstrip().lower().startswith((b"<!doctype html", b"<html")):
        raise FetchError(
            "Reddit returned an HTML page, not a JSON listing (it does so when it blocks a "
            "client: give a descriptive User-Agent, or check the URL)"
        )
    try:
        document = json.loads(body.decode("utf-8-sig"))
    # ValueError covers bad UTF-8, bad JSON and too-long integers; RecursionError deep nesting.
    except (ValueError, RecursionError) as exc:
        raise FetchError(f"not a Reddit listing: invalid JSON ({exc})"[:300]) from None
    listings = document if isinstance(document, list) else [document]
    if not listings:
        raise FetchError("not a Reddit listing: an empty JSON list")
    children: list[Any] = []
    for listing in listings[:MAX_LISTINGS]:
        data = listing.get("data") if isinstance(listing, dict) else None
        found = data.get("children") if isinstance(data, dict) else None
        if not isinstance(found, list):
            raise FetchError("not a Reddit listing: no data.children list in the JSON")
        children.extend(found[: MAX_ITEMS - len(children)])
    return [item for child in children if (item := _item(child)) is not None]


def _item(child: Any) -> Item | None:
    if not isinstance(child, dict) or child.get("kind") not in ("t3", "t1"):
        return None
    data = child.get("data")
    if not isinstance(data, dict):
        return None
    is_post = child["kind"] == "t3"
    # Reddit escapes &, < and > in its JSON text, so the fields read as HTML text.
    title = clean_line(_text_field(data, "title"), MAX_TITLE) if is_post else ""
    text = html_to_text(_text_field(data, "selftext" if is_post else "body"), MAX_TEXT)
    if not (title or text):
        return None
    name = data.get("name")
    return Item(
        source_item_id=name if isinstance(name, str) and _FULLNAME.fullmatch(name) else None,
        url=_permalink(data.get("permalink")),
        title=title,
        text=text,
        author=_author(data.get("author")),
        published_at=_created(data.get("created_utc")),
    )


def _text_field(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) and value.strip() not in _GONE else ""


def _permalink(value: Any) -> str | None:
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//"):
        return None
    if len(value) > 1500 or any(c.isspace() or ord(c) < 32 for c in value):
        return None
    return REDDIT + value


def _author(value: Any) -> str:
    if not isinstance(value, str) or value in _GONE:
        return ""
    return "u/" + value if _AUTHOR.fullmatch(value) else clean_line(value, MAX_AUTHOR)


def _created(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not 0 < value < 32_503_680_000:  # before the year 3000; also refuses nan and inf
        return None
    return datetime.fromtimestamp(value, tz=UTC)


# --- the adapter --------------------------------------------------------------------------------


def _with_accept(headers: Mapping[str, str]) -> dict[str, str]:
    if any(name.lower() == "accept" for name in headers):
        return dict(headers)
    return {"Accept": "application/json", **headers}


class RedditAdapter:
    """A subreddit, a user or a search on Reddit, read from its JSON listing."""

    default_url: str | None = REDDIT + "/search"

    def check(self, url: str, options: Mapping[str, Any]) -> None:
        listing_url(url, str(options.get("search") or "").strip() or None)

    def collect(self, source: SourceRequest, context: CollectContext) -> Collected:
        url = listing_url(source.url, (source.search or "").strip() or None)
        try:
            response = context.fetcher.get(
                url,
                etag=source.etag,
                last_modified=source.last_modified,
                headers=_with_accept(source.headers),
                allow_private=source.allow_private_addresses,
            )
        except FetchError as exc:
            if exc.status != 403:
                raise
            raise FetchError(
                f"{exc} (Reddit refuses this client: give a descriptive User-Agent in [fetch] "
                "user_agent or the source's headers; Reddit also blocks some data-centre "
                "addresses)",
                status=exc.status,
                retry_after=exc.retry_after,
            ) from None
        collected = collected_from(response, source)
        if not response.not_modified:
            collected.items = parse_listing(response.body)
        return collected
