"""RSS 0.9x/1.0/2.0, Atom, RDF and JSON Feed through feedparser, always parsed from bytes."""

from __future__ import annotations

import calendar
import io
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, cast
from urllib.parse import urljoin

import feedparser

from monitor.errors import FetchError
from monitor.sources.base import (
    CollectContext,
    Collected,
    Item,
    ParsedFeed,
    SourceRequest,
    collected_from,
    require_http_url,
)
from monitor.sources.jsonfeed import looks_like_json, parse_json_feed_document
from monitor.sources.links import unwrap_redirect
from monitor.text import MAX_AUTHOR, MAX_TEXT, MAX_TITLE, clean_line, html_to_text

MAX_ITEMS_PER_FEED = 1000
# An inline entity may grow the document by at most this much in all its uses.
MAX_ENTITY_EXPANSION = 1_000_000

_PROLOG_END = re.compile(rb"<[A-Za-z_]")
_CHAR_REFERENCE = re.compile(rb"&#x?[0-9A-Fa-f]{1,6};")
_ENTITY = re.compile(rb'<!ENTITY\s+(%\s+)?([\w.-]+)\s+(?:"([^"]*)"|\'([^\']*)\'|[^>]*)\s*>')


def defuse_entities(body: bytes) -> bytes:
    """Drop inline entity declarations whose uses would blow the document up.

    feedparser's fallback parser expands entities declared in an inline DTD itself, so one large
    entity referenced tens of thousands of times becomes gigabytes. Small, harmless entities
    (the kind real feeds use for a name or a symbol) are kept.
    """
    start = _PROLOG_END.search(body)
    prolog_end = start.start() if start else len(body)
    prolog = body[:prolog_end]
    if b"<!ENTITY" not in prolog:
        return body
    rest = body[prolog_end:]

    def judged(match: re.Match[bytes]) -> bytes:
        parameter, name, double, single = match.groups()
        value = double if double is not None else single
        if parameter is not None or value is None:  # parameter or external entities: never
            return b""
        # Entities made of entities are the billion laughs; a character reference is fine.
        if (b"&" in value or b"%" in value) and not _CHAR_REFERENCE.fullmatch(value):
            return b""
        uses = rest.count(b"&" + name + b";")
        return match.group(0) if len(value) * max(uses, 1) <= MAX_ENTITY_EXPANSION else b""

    return _ENTITY.sub(judged, prolog) + rest


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
    return unwrap_redirect(absolute) if absolute.startswith(("http://", "https://")) else None


def _ttl(feed: Mapping[str, Any]) -> float | None:
    value = str(feed.get("ttl") or "").strip()
    return float(value) * 60 if value.isdigit() and 0 < int(value) < 100_000 else None


def _feed_link(feed: Mapping[str, Any], rel: str) -> str | None:
    for link in feed.get("links") or ():
        if isinstance(link, Mapping) and link.get("rel") == rel and link.get("href"):
            href = str(link["href"]).strip()
            if href.startswith(("http://", "https://")):
                return href[:2000]
    return None


def parse_feed(body: bytes, *, url: str, content_type: str | None = None) -> list[Item]:
    """Parse a feed document into Items; raise FetchError when it is not a feed at all."""
    return read_feed(body, url, content_type).items


def read_feed(body: bytes, url: str, content_type: str | None = None) -> ParsedFeed:
    """parse_feed, with what the feed says about itself (WebSub hub, self link, ttl)."""
    if looks_like_json(body, content_type):
        return parse_json_feed_document(body, url=url)
    body = defuse_entities(body)
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
    return ParsedFeed(
        items=items,
        hub=_feed_link(parsed.feed, "hub"),
        self_url=_feed_link(parsed.feed, "self"),
        ttl=_ttl(parsed.feed),
    )


class FeedAdapter:
    """The generic feed source: conditional GET, then read_feed."""

    default_url: str | None = None

    def check(self, url: str, options: Mapping[str, Any]) -> None:
        require_http_url(url)

    def collect(self, source: SourceRequest, context: CollectContext) -> Collected:
        return collect_feed(source, context, source.url)


def collect_feed(source: SourceRequest, context: CollectContext, url: str) -> Collected:
    """Fetch one feed URL conditionally and read it: the part every feed-shaped source shares."""
    response = context.fetcher.get(
        url,
        etag=source.etag,
        last_modified=source.last_modified,
        headers=source.headers,
        allow_private=source.allow_private_addresses,
    )
    collected = collected_from(response, source)
    if not response.not_modified:
        parsed = context.read_feed(
            response.body, response.url, response.headers.get("content-type")
        )
        collected.items = parsed.items
        collected.hub = collected.hub or parsed.hub
        collected.self_url = collected.self_url or parsed.self_url
        if parsed.ttl is not None:
            collected.min_interval = max(collected.min_interval or 0.0, parsed.ttl)
    return collected
