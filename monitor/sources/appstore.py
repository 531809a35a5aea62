"""Customer reviews of one app in one country's App Store, from Apple's public review feed.

The url is the app's page as a person copies it (https://apps.apple.com/nl/app/some-name/
id123456789, itunes.apple.com links too) or the review feed itself
(https://itunes.apple.com/nl/rss/customerreviews/page=1/id=123456789/sortby=mostrecent/json;
an xml feed or another sort order is read as this one). Each check reads the first page, the 50
most recent reviews, with a conditional GET.

The rating leads the title as stars, "★☆☆☆☆ Crasht na de update": what an agent scans the
queue for first, and what the classifier can learn from. It cannot learn from digits, which
its normalisation folds into one token ("1/5" and "5/5" look alike), and ★ and ☆ are not among
its emoji cues, so a seed model is not misled either way while a model retrained on agents'
corrections picks the stars up from its character n-grams. The review text stays as written.

The App Store has no page per review: each review links to the app's reviews page with its id
as a `review` parameter, because dedup tells items apart by URL. Reviews seldom name the brand,
so an appstore source usually wants `query = "*"` (and `brands` when there are several).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from monitor.errors import FetchError
from monitor.sources.base import (
    CollectContext,
    Collected,
    Item,
    SourceRequest,
    collected_from,
    iso_datetime,
    require_http_url,
)
from monitor.text import MAX_AUTHOR, MAX_TEXT, MAX_TITLE, html_to_text, plain_text, truncate

FEED_URL = (
    "https://itunes.apple.com/{country}/rss/customerreviews/page=1/id={app}/sortby=mostrecent/json"
)
REVIEW_URL = "https://apps.apple.com/{country}/app/id{app}?see-all=reviews&review={review}"
# Apple serves 50 reviews a page; more is a feed that is not Apple's.
MAX_ENTRIES = 500

_APPLE_HOSTS = frozenset({"apps.apple.com", "itunes.apple.com"})
_PAGE = re.compile(r"/(?:(?P<country>[a-z]{2})/)?app/(?:[^/]+/)?id(?P<app>[0-9]{1,15})/?", re.I)
_FEED = re.compile(
    r"/(?P<country>[a-z]{2})/rss/customerreviews(?:/[a-z]+=[^/]*)*?/id=(?P<app>[0-9]{1,15})"
    r"(?:/[a-z]+=[^/]*)*/(?:json|xml)/?",
    re.I,
)
_REVIEW_ID = re.compile(r"[0-9]{1,30}")
_STARS = 5


def feed_of(url: str) -> tuple[str, str, str]:
    """(feed url, country, app id) for an app page or a review feed; ValueError otherwise."""
    require_http_url(url)
    parts = urlsplit(url)
    feed = _FEED.fullmatch(parts.path)
    if feed is not None:
        country, app = feed.group("country").lower(), feed.group("app")
        # Keep the host: a mirror (or a test server) serves the same path.
        path = urlsplit(FEED_URL.format(country=country, app=app)).path
        return urlunsplit((parts.scheme, parts.netloc, path, "", "")), country, app
    page = _PAGE.fullmatch(parts.path)
    if page is None or (parts.hostname or "").lower() not in _APPLE_HOSTS:
        raise ValueError(
            "expected an App Store app page such as https://apps.apple.com/nl/app/name/"
            f"id123456789 or its review feed, got {url!r}"
        )
    if page.group("country") is None:
        raise ValueError(
            f"the App Store link {url!r} names no country; copy the app's page from your "
            "country's store (https://apps.apple.com/nl/app/...), whose reviews are the ones read"
        )
    country, app = page.group("country").lower(), page.group("app")
    return FEED_URL.format(country=country, app=app), country, app


class AppStoreAdapter:
    default_url: str | None = None

    def check(self, url: str, options: Mapping[str, Any]) -> None:
        feed_of(url)
        if options.get("search"):
            raise ValueError(
                "search: an appstore source reads every review of one app and searches nothing; "
                'leave search out (query = "*" takes every review)'
            )

    def collect(self, source: SourceRequest, context: CollectContext) -> Collected:
        try:
            url, country, app = feed_of(source.url)
        except ValueError as exc:
            raise FetchError(str(exc)) from None
        response = context.fetcher.get(
            url,
            etag=source.etag,
            last_modified=source.last_modified,
            headers=source.headers,
            allow_private=source.allow_private_addresses,
        )
        collected = collected_from(response, source)
        if not response.not_modified:
            collected.items = read_reviews(response.body, country=country, app=app)
        return collected


def read_reviews(body: bytes, *, country: str, app: str) -> list[Item]:
    """The reviews in one page of the feed; entries without a rating (the app itself) skipped."""
    try:
        document = json.loads(body.decode("utf-8-sig"))
    # ValueError covers bad UTF-8, bad JSON and integers too long to convert; RecursionError
    # covers hostile nesting.
    except (ValueError, RecursionError) as exc:
        if body[:512].lstrip().lower().startswith((b"<!doctype html", b"<html")):
            raise FetchError("the App Store returned an HTML page, not the review feed") from None
        raise FetchError(f"the App Store review feed is not valid JSON ({exc})"[:300]) from None
    feed = document.get("feed") if isinstance(document, dict) else None
    if not isinstance(feed, dict):
        raise FetchError("not an App Store review feed: JSON without a feed object")
    entries = feed.get("entry")
    # One review comes as an object, none as no "entry" at all.
    if isinstance(entries, dict):
        entries = [entries]
    if not isinstance(entries, list):
        return []
    items = []
    for entry in entries[:MAX_ENTRIES]:
        item = review_to_item(entry, country=country, app=app) if isinstance(entry, dict) else None
        if item is not None:
            items.append(item)
    return items


def review_to_item(entry: Mapping[str, Any], *, country: str, app: str) -> Item | None:
    rating = _rating(_label(entry.get("im:rating")))
    if rating is None:
        return None
    stars = "★" * rating + "☆" * (_STARS - rating)
    title = _line(_label(entry.get("title")), MAX_TITLE - len(stars) - 1)
    review_id = _label(entry.get("id")).strip()
    author = entry.get("author")
    return Item(
        source_item_id=review_id[:1000] or None,
        url=(
            REVIEW_URL.format(country=country, app=app, review=review_id)
            if _REVIEW_ID.fullmatch(review_id)
            else None
        ),
        title=f"{stars} {title}".strip(),
        text=_content(entry.get("content")),
        author=_line(_label(author.get("name")) if isinstance(author, dict) else "", MAX_AUTHOR),
        published_at=iso_datetime(_label(entry.get("updated"))),
    )


def _label(value: Any) -> str:
    """Apple's JSON wraps every value: {"label": "..."}."""
    label = value.get("label") if isinstance(value, dict) else None
    return label if isinstance(label, str) else ""


def _rating(label: str) -> int | None:
    value = label.strip()
    if len(value) == 1 and value in "12345":
        return int(value)
    return None


def _content(value: Any) -> str:
    # Older feeds gave a plain-text and an HTML version side by side: prefer the plain text.
    versions = [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, dict)]
    for version in versions:
        attributes = version.get("attributes")
        kind = attributes.get("type") if isinstance(attributes, dict) else "text"
        if kind != "html" and _label(version):
            return plain_text(_label(version), MAX_TEXT)
    return next((html_to_text(_label(v), MAX_TEXT) for v in versions if _label(v)), "")


def _line(value: str, limit: int) -> str:
    """Plain text on one line: reviews are not markup ("<3" stays)."""
    return truncate(" ".join(plain_text(value, limit).split()), limit)
