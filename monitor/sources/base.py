"""What every source adapter takes and gives: plain records, no database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from monitor.fetch import Fetcher


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


@dataclass
class Collected:
    """The outcome of one successful check of a source."""

    items: list[Item]
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    final_url: str | None = None
    permanent_redirect: str | None = None
    bytes_read: int = 0


class SourceAdapter(Protocol):
    def collect(self, source: SourceRequest, fetcher: Fetcher) -> Collected: ...
