"""Hacker News stories and comments that mention a search, through the Algolia HN Search API.

The url is the API endpoint (by default https://hn.algolia.com/api/v1/search_by_date) with
`search = "acme"`, or a search page a person copied from hn.algolia.com
(https://hn.algolia.com/?q=acme, or ?query=acme&type=comment), whose words and type are used when
`search` is not set.

Each check asks for stories and comments, newest first, HITS_PER_PAGE at a time and at most
MAX_PAGES pages. Only what is new is asked for (numericFilters=created_at_i>N), without state of
our own: this API has no conditional GET, so the etag of a hackernews source holds a watermark
instead, "hn:<newest created_at_i seen>:<fingerprint of the search>". The next check asks from
OVERLAP seconds before it, because Algolia indexes a post a little after it was written (the
repeats are dropped by dedup); a watermark of another search is ignored, and a first check
reaches back FIRST_WINDOW seconds.

Items link to the discussion on news.ycombinator.com, where one answers, never to a story's
external link; a link story without text shows that link as its text.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from monitor.errors import FetchError
from monitor.sources.base import CollectContext, Collected, Item, SourceRequest, require_http_url
from monitor.text import MAX_AUTHOR, MAX_TEXT, MAX_TITLE, html_to_text, plain_text, truncate

DEFAULT_URL = "https://hn.algolia.com/api/v1/search_by_date"
HITS_PER_PAGE = 100
MAX_PAGES = 3
FIRST_WINDOW = 86_400
OVERLAP = 600
ITEM_URL = "https://news.ycombinator.com/item?id={}"

_STORIES_AND_COMMENTS = "(story,comment)"
# hn.algolia.com's own page says type=story|comment|all; the API says tags=...
_TYPES = {"story": "story", "comment": "comment", "all": _STORIES_AND_COMMENTS}
_TAGS = frozenset(_TYPES.values())
_OBJECT_ID = re.compile(r"[0-9]{1,20}")
_WATERMARK = re.compile(r"hn:([0-9]{1,12}):([0-9a-f]{12})")
# HN separates paragraphs with an opening <p> and never closes them.
_PARAGRAPH = re.compile(r"<p\b", re.IGNORECASE)


@dataclass(frozen=True)
class Search:
    """One search request, short of its time filter and page."""

    endpoint: str
    query: str
    tags: str = _STORIES_AND_COMMENTS

    @property
    def fingerprint(self) -> str:
        key = f"{self.endpoint}\n{self.query}\n{self.tags}".encode()
        return hashlib.sha256(key).hexdigest()[:12]

    def page_url(self, since: int, page: int) -> str:
        params = {
            "query": self.query,
            "tags": self.tags,
            "hitsPerPage": str(HITS_PER_PAGE),
            "numericFilters": f"created_at_i>{since}",
        }
        if page:
            params["page"] = str(page)
        return f"{self.endpoint}?{urlencode(params)}"


def search_of(url: str, search: str | None) -> Search:
    """What the API is asked; ValueError with a message for a person when nothing can be."""
    require_http_url(url)
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query))
    path = parts.path.rstrip("/")
    if path.endswith("/api/v1/search"):  # sorted by relevance: we want the newest first
        path += "_by_date"
    if path.endswith("/api/v1/search_by_date"):
        endpoint = urlunsplit((parts.scheme, parts.netloc, path, "", ""))
        tags = params.get("tags", _STORIES_AND_COMMENTS)
    elif parts.hostname == "hn.algolia.com":
        endpoint = DEFAULT_URL
        tags = _TYPES.get(params.get("type", "all"), "")
    else:
        raise ValueError(
            f"expected the Algolia HN Search API ({DEFAULT_URL}) or a search page from "
            f"hn.algolia.com such as https://hn.algolia.com/?q=acme, got {url!r}"
        )
    words = (search or params.get("query") or params.get("q") or "").strip()
    if not words:
        raise ValueError(
            'search: required for hackernews sources: the words to look for, e.g. search = "acme"'
        )
    return Search(endpoint, words, tags if tags in _TAGS else _STORIES_AND_COMMENTS)


class HackerNewsAdapter:
    default_url: str | None = DEFAULT_URL

    def check(self, url: str, options: Mapping[str, Any]) -> None:
        search_of(url, options.get("search"))

    def collect(self, source: SourceRequest, context: CollectContext) -> Collected:
        try:
            search = search_of(source.url, source.search)
        except ValueError as exc:
            raise FetchError(str(exc)) from None
        seen = _watermark(source.etag, search)
        now = int(time.time())
        since = seen - OVERLAP if seen is not None else now - FIRST_WINDOW
        collected = Collected(items=[], etag=source.etag)
        newest = seen
        for page in range(MAX_PAGES):
            response = context.fetcher.get(
                search.page_url(since, page),
                headers=source.headers,
                allow_private=source.allow_private_addresses,
            )
            collected.bytes_read += len(response.body)
            hits, more = read_page(response.body, page)
            for hit in hits:
                stamp = _stamp(hit.get("created_at_i"))
                # A time from the future would stop every later check from finding anything.
                if stamp is not None and stamp <= now + 86_400 and stamp > (newest or 0):
                    newest = stamp
                item = hit_to_item(hit)
                if item is not None:
                    collected.items.append(item)
            if not more:
                break
        if newest is not None:
            collected.etag = f"hn:{newest}:{search.fingerprint}"
        return collected


def _watermark(etag: str | None, search: Search) -> int | None:
    match = _WATERMARK.fullmatch(etag or "")
    if match is None or match.group(2) != search.fingerprint:
        return None
    return int(match.group(1))


def read_page(body: bytes, page: int) -> tuple[list[dict[str, Any]], bool]:
    """The hits of one answer, and whether a next page may hold more."""
    document = _json(body)
    raw = document.get("hits") if isinstance(document, dict) else None
    if not isinstance(raw, list):
        raise FetchError("not a Hacker News search answer: JSON without a hits list")
    pages = document.get("nbPages")
    more = len(raw) >= HITS_PER_PAGE and (not isinstance(pages, int) or page + 1 < pages)
    return [hit for hit in raw[:HITS_PER_PAGE] if isinstance(hit, dict)], more


def hit_to_item(hit: Mapping[str, Any]) -> Item | None:
    """A story or comment as an Item, or None when it has no usable id or no words."""
    object_id = hit.get("objectID")
    if isinstance(object_id, int) and not isinstance(object_id, bool):
        object_id = str(object_id)
    if not isinstance(object_id, str) or not _OBJECT_ID.fullmatch(object_id):
        return None
    comment = _str(hit.get("comment_text"))
    if comment:
        # The story's title gives the agent (and the classifier) what the comment answers.
        story = _line(_str(hit.get("story_title")), MAX_TITLE - 4)
        title = f"Re: {story}" if story else ""
        text = _html(comment)
    else:
        title = _line(_str(hit.get("title")), MAX_TITLE)
        text = _html(_str(hit.get("story_text"))) or _web_link(hit.get("url"))
    if not (title or text):
        return None
    return Item(
        source_item_id=object_id,
        url=ITEM_URL.format(object_id),
        title=title,
        text=text,
        author=_line(_str(hit.get("author")), MAX_AUTHOR),
        published_at=_moment(hit.get("created_at_i"), hit.get("created_at")),
    )


def _json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8-sig"))
    # ValueError covers bad UTF-8, bad JSON and integers too long to convert; RecursionError
    # covers hostile nesting.
    except (ValueError, RecursionError) as exc:
        if body[:512].lstrip().lower().startswith((b"<!doctype html", b"<html")):
            raise FetchError("the HN Search API returned an HTML page, not JSON") from None
        raise FetchError(f"the HN Search API returned invalid JSON ({exc})"[:300]) from None


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _html(markup: str) -> str:
    return html_to_text(_PARAGRAPH.sub("\n\n<p", markup[: MAX_TEXT * 4]), MAX_TEXT)


def _line(value: str, limit: int) -> str:
    """Plain text on one line: HN titles and names are not markup ("<3" stays)."""
    return truncate(" ".join(plain_text(value, limit).split()), limit)


def _web_link(value: Any) -> str:
    link = _str(value).strip()
    return link[:2000] if link.startswith(("http://", "https://")) else ""


def _stamp(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def _moment(stamp: Any, iso: Any) -> datetime | None:
    seconds = _stamp(stamp)
    if seconds is not None:
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            pass
    if not isinstance(iso, str):
        return None
    try:
        moment = datetime.fromisoformat(iso.strip().replace("Z", "+00:00"))
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        return None
