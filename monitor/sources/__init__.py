"""Source adapters, one per kind of source; each turns a fetch into plain Items."""

from __future__ import annotations

from monitor.sources.base import (
    CollectContext,
    Collected,
    Item,
    ParsedFeed,
    SourceAdapter,
    SourceRequest,
)
from monitor.sources.feed import FeedAdapter

ADAPTERS: dict[str, SourceAdapter] = {"rss": FeedAdapter()}

# Types that need no url in the config: they search one public endpoint.
DEFAULT_URLS: dict[str, str] = {}


def adapter_for(source_type: str) -> SourceAdapter:
    try:
        return ADAPTERS[source_type]
    except KeyError:
        raise ValueError(f"no adapter for source type {source_type!r}") from None


__all__ = [
    "ADAPTERS",
    "DEFAULT_URLS",
    "CollectContext",
    "Collected",
    "Item",
    "ParsedFeed",
    "SourceAdapter",
    "SourceRequest",
    "adapter_for",
]
