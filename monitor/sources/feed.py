"""RSS 0.9x/1.0/2.0, Atom, RDF and JSON Feed through feedparser, always parsed from bytes."""

from __future__ import annotations

import calendar
import io
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, cast
from urllib.parse import urljoin

import feedparser

from monitor.errors import FetchError
from monitor.fetch import Fetcher
from monitor.sources.base import Collected, Item, SourceRequest
from monitor.sources.jsonfeed import looks_like_json, parse_json_feed
from monitor.text import MAX_AUTHOR, MAX_TEXT, MAX_TITLE, clean_line, html_to_text

MAX_ITEMS_PER_FEED = 1000


def _timestamp(entry: Mapping[str, Any]) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = dict.get(cast(dict[str, Any], entry), key)  # entry.get() warns on aliases
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            except (OverflowError, ValueError, TypeError):
                continue
    return None


def _body(entry: Mapping[str, Any]) -> str:
    contents = [c.get("value", "") for c in entry.get("content") or () if isinstance(c, Mapping)]
    best = max(contents, key=len, default="")
    summary = entry.get("summary") or ""
    return best if len(best) >= len(summary) else summary


def _author(entry: Mapping[str, Any]) -> str:
    author = entry.get("author")
    if not author:
        detail = entry.get("author_detail") or {}
        author = detail.get("name") or detail.get("email") or ""
    return clean_line(str(author), MAX_AUTHOR)


def _link(entry: Mapping[str, Any], base: str) -> str | None:
    link = entry.get("link")
    if not link:
        return None
    absolute = urljoin(base, str(link).strip())
    return absolute if absolute.startswith(("http://", "https://")) else None


def parse_feed(body: bytes, *, url: str, content_type: str | None = None) -> list[Item]:
    """Parse a feed document into Items; raise FetchError when it is not a feed at all."""
    if looks_like_json(body, content_type):
        return parse_json_feed(body, url=url)
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    # Our own sanitiser turns every field into plain text, so feedparser's HTML passes are wasted.
    parsed = feedparser.parse(
        io.BytesIO(body),
        response_headers=headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    if not parsed.get("version") and not parsed.entries:
        head = body[:512].lstrip().lower()
        if head.startswith((b"<!doctype html", b"<html")):
            raise FetchError("the URL returned an HTML page, not a feed")
        reason = parsed.get("bozo_exception")
        detail = f": {reason}" if reason else ""
        raise FetchError(f"not a feed (no RSS, Atom, RDF or JSON Feed found){detail}"[:500])
    language = (parsed.feed.get("language") or "")[:2].lower() or None
    items: list[Item] = []
    for entry in parsed.entries[:MAX_ITEMS_PER_FEED]:
        link = _link(entry, url)
        guid = entry.get("id") or entry.get("guid")
        title = clean_line(entry.get("title"), MAX_TITLE)
        text = html_to_text(_body(entry), MAX_TEXT)
        if not (title or text):
            continue
        items.append(
            Item(
                source_item_id=str(guid)[:1000] if guid else None,
                url=link[:2000] if link else None,
                title=title,
                text=text,
                author=_author(entry),
                published_at=_timestamp(entry),
                language_hint=language,
            )
        )
    return items


class FeedAdapter:
    """The generic feed source: conditional GET, then parse_feed."""

    def collect(self, source: SourceRequest, fetcher: Fetcher) -> Collected:
        response = fetcher.get(
            source.url,
            etag=source.etag,
            last_modified=source.last_modified,
            headers=source.headers,
            allow_private=source.allow_private_addresses,
        )
        collected = Collected(
            items=[],
            not_modified=response.not_modified,
            etag=response.etag or source.etag,
            last_modified=response.last_modified or source.last_modified,
            final_url=response.url,
            permanent_redirect=response.permanent_redirect,
            bytes_read=len(response.body),
        )
        if not response.not_modified:
            collected.items = parse_feed(
                response.body, url=response.url, content_type=response.headers.get("content-type")
            )
        return collected
