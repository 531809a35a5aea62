"""What every source adapter takes and gives: plain records, no database."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from monitor.fetch import Fetcher, FetchResponse


@dataclass(frozen=True)
class Image:
    """A picture that came with an item (a screenshot in a forwarded mail), checked to be one
    of the formats browsers show safely (never SVG, which can carry script)."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Item:
    """One public post as a source saw it, already reduced to bounded plain text."""

    source_item_id: str | None
    url: str | None
    title: str
    text: str
    author: str = ""
    published_at: datetime | None = None
    language_hint: str | None = None
    images: tuple[Image, ...] = ()
    # What the person who forwarded it wrote about it (the webcare mailbox): kept with the
    # forward, apart from the post, so a colleague's words are not classified as the public's.
    # A mail that forwards nothing has only those words: then they are the text as well.
    note: str = ""


@dataclass(frozen=True)
class ParsedFeed:
    """A feed document read into Items, with what the feed says about itself."""

    items: list[Item]
    # WebSub: the hub the feed announces and the topic URL it calls itself.
    hub: str | None = None
    self_url: str | None = None
    # RSS <ttl>: the publisher asks not to be polled more often than this (seconds).
    ttl: float | None = None


# Parses a feed body (bytes, url, content type); may run in another process.
FeedReader = Callable[[bytes, str, "str | None"], ParsedFeed]


@dataclass(frozen=True)
class SourceRequest:
    """What an adapter needs to know about a source to fetch it."""

    name: str
    type: str
    url: str
    etag: str | None = None
    last_modified: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    allow_private_addresses: bool | None = None
    # Type-specific settings from the config: search, username, password_env, websub.
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def search(self) -> str | None:
        value = self.options.get("search")
        return str(value) if value else None


@dataclass(frozen=True)
class CollectContext:
    """What the collector lends an adapter for one check."""

    fetcher: Fetcher
    read_feed: FeedReader


@dataclass
class Collected:
    """The outcome of one successful check of a source."""

    items: list[Item]
    not_modified: bool = False
    # An HTTP validator, or an adapter's own state (the newest id seen, a mailbox's UIDs): kept
    # on the source only when the check and its ingest succeeded, handed back next time.
    etag: str | None = None
    last_modified: str | None = None
    final_url: str | None = None
    permanent_redirect: str | None = None
    bytes_read: int = 0
    # The least time the server asks between checks (RSS ttl, Cache-Control max-age), seconds.
    min_interval: float | None = None
    hub: str | None = None
    self_url: str | None = None


def collected_from(response: FetchResponse, source: SourceRequest) -> Collected:
    """What one conditional GET says about a source, before its body is read into items."""
    return Collected(
        items=[],
        not_modified=response.not_modified,
        etag=response.etag or source.etag,
        last_modified=response.last_modified or source.last_modified,
        final_url=response.url,
        permanent_redirect=response.permanent_redirect,
        bytes_read=len(response.body),
        min_interval=response.max_age,
        hub=response.link_hub,
        self_url=response.link_self,
    )


def iso_datetime(value: object) -> datetime | None:
    """An ISO 8601 time from an API as aware UTC; None for anything else (never an error)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError):  # OverflowError: year 1 with a positive offset
        return None


class SourceAdapter(Protocol):
    def check(self, url: str, options: Mapping[str, Any]) -> None:
        """Raise ValueError with a message for a person when the config cannot work."""

    def collect(self, source: SourceRequest, context: CollectContext) -> Collected: ...


def require_http_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"expected an http:// or https:// URL, got {url!r}")
