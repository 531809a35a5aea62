"""JSON Feed 1.0 and 1.1 (feedparser 6 reads only XML feeds)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urljoin

from monitor.errors import FetchError
from monitor.sources.base import Item, ParsedFeed, iso_datetime
from monitor.text import MAX_AUTHOR, MAX_TEXT, MAX_TITLE, clean_line, html_to_text, plain_text

MAX_ITEMS = 1000


def looks_like_json(body: bytes, content_type: str | None) -> bool:
    if content_type and "json" in content_type.lower():
        return True
    return body[:64].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def _authors(obj: dict[str, Any]) -> list[Any]:
    authors = obj.get("authors")
    if isinstance(authors, list) and authors:
        return authors
    return [obj["author"]] if isinstance(obj.get("author"), dict) else []


def _author(item: dict[str, Any], feed: dict[str, Any]) -> str:
    authors = _authors(item) or _authors(feed)
    names = [
        str(a["name"]) for a in authors if isinstance(a, dict) and isinstance(a.get("name"), str)
    ]
    return clean_line(", ".join(names), MAX_AUTHOR)


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def parse_json_feed(body: bytes, *, url: str) -> list[Item]:
    return parse_json_feed_document(body, url=url).items


def parse_json_feed_document(body: bytes, *, url: str) -> ParsedFeed:
    try:
        feed = json.loads(body.decode("utf-8-sig"))
    # ValueError covers bad UTF-8, bad JSON and integers too long to convert; RecursionError
    # covers hostile nesting.
    except (ValueError, RecursionError) as exc:
        raise FetchError(f"not a feed: invalid JSON ({exc})"[:300]) from None
    if not isinstance(feed, dict) or "jsonfeed.org/version" not in _str(feed.get("version")):
        raise FetchError("not a feed: JSON without a jsonfeed.org version")
    entries = feed.get("items")
    if not isinstance(entries, list):
        raise FetchError("not a feed: JSON Feed without an items list")
    language = _str(feed.get("language"))[:2].lower() or None
    items = []
    for entry in entries[:MAX_ITEMS]:
        if not isinstance(entry, dict):
            continue
        link = _str(entry.get("url")) or _str(entry.get("external_url"))
        try:
            link = urljoin(url, link.strip()) if link else ""
        except ValueError:  # e.g. "http://[oops": not a usable link
            link = ""
        html = _str(entry.get("content_html"))
        text = (
            html_to_text(html, MAX_TEXT)
            if html
            else plain_text(_str(entry.get("content_text")) or _str(entry.get("summary")), MAX_TEXT)
        )
        title = clean_line(_str(entry.get("title")), MAX_TITLE)
        if not (title or text):
            continue
        identifier = entry.get("id")
        items.append(
            Item(
                source_item_id=str(identifier)[:1000] if identifier not in (None, "") else None,
                url=link[:2000] if link.startswith(("http://", "https://")) else None,
                title=title,
                text=text,
                author=_author(entry, feed),
                published_at=iso_datetime(entry.get("date_published"))
                or iso_datetime(entry.get("date_modified")),
                language_hint=(_str(entry.get("language"))[:2].lower() or language),
            )
        )
    hubs = feed.get("hubs")
    hub = next(
        (
            _str(h.get("url"))
            for h in (hubs if isinstance(hubs, list) else [])
            if isinstance(h, dict) and _str(h.get("type")).lower() == "websub"
        ),
        "",
    )
    self_url = _str(feed.get("feed_url"))
    return ParsedFeed(
        items=items,
        hub=hub[:2000] if hub.startswith(("http://", "https://")) else None,
        self_url=self_url[:2000] if self_url.startswith(("http://", "https://")) else None,
    )
