"""Source adapters, one per kind of source; each turns a fetch into plain Items.

Adapters are imported when a source of their type is first configured, so a deployment that
watches only feeds never loads the mailbox or API code.
"""

from __future__ import annotations

import importlib
from functools import cache

from monitor.sources.base import (
    CollectContext,
    Collected,
    Item,
    ParsedFeed,
    SourceAdapter,
    SourceRequest,
)

# type -> "module:class"; each class has `default_url` (None when the config must give a url).
_ADAPTERS: dict[str, str] = {
    "rss": "monitor.sources.feed:FeedAdapter",
    "google_news": "monitor.sources.news:GoogleNewsAdapter",
    "bing_news": "monitor.sources.news:BingNewsAdapter",
    "reddit": "monitor.sources.reddit:RedditAdapter",
    "youtube": "monitor.sources.youtube:YouTubeAdapter",
    "hackernews": "monitor.sources.hackernews:HackerNewsAdapter",
    "mastodon": "monitor.sources.mastodon:MastodonAdapter",
    "appstore": "monitor.sources.appstore:AppStoreAdapter",
    "imap": "monitor.sources.mailbox:MailboxAdapter",
}
SOURCE_TYPES: tuple[str, ...] = tuple(_ADAPTERS)


@cache
def adapter_for(source_type: str) -> SourceAdapter:
    try:
        module_name, class_name = _ADAPTERS[source_type].split(":")
    except KeyError:
        raise ValueError(f"no adapter for source type {source_type!r}") from None
    adapter: SourceAdapter = getattr(importlib.import_module(module_name), class_name)()
    return adapter


def default_url(source_type: str) -> str | None:
    """Searching types have one public endpoint, so their url may be left out of the config."""
    return getattr(adapter_for(source_type), "default_url", None)


__all__ = [
    "SOURCE_TYPES",
    "CollectContext",
    "Collected",
    "Item",
    "ParsedFeed",
    "SourceAdapter",
    "SourceRequest",
    "adapter_for",
    "default_url",
]
