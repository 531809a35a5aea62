"""YouTube: the latest videos of a channel or playlist, from YouTube's public Atom feed.

The url may be a channel (https://www.youtube.com/channel/UC...), a legacy user page
(/user/NAME), a playlist (/playlist?list=...) or the feed itself
(https://www.youtube.com/feeds/videos.xml?channel_id=... or ?playlist_id=...). A @handle or
/c/ address cannot be turned into a channel id without scraping the channel page, so it is
refused with a hint on finding the id.

YouTube has no public search feed (searching needs the Data API and a key), so a source
watches channels and playlists and the brand queries pick the videos; `search` is refused.

The feed carries each video's description in media:group/media:description; feedparser reads
it as the entry's summary, so the generic feed reading makes it the item text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from monitor.sources.base import CollectContext, Collected, SourceRequest, require_http_url
from monitor.sources.feed import collect_feed

FEED_PATH = "/feeds/videos.xml"
_YOUTUBE_HOSTS = ("youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com")
_CHANNEL_ID = re.compile(r"UC[A-Za-z0-9_-]{22}")
_PLAYLIST_ID = re.compile(r"[A-Za-z0-9_-]{2,64}")
_USER_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")
_CHANNEL_PAGE = re.compile(r"/channel/([^/]+)(?:/[a-z]+)?")
_USER_PAGE = re.compile(r"/user/([^/]+)(?:/[a-z]+)?")
_NO_SEARCH = (
    "YouTube has no public search feed; watch a channel or playlist instead (the brand "
    "queries pick the videos)"
)
_EXPECTED = (
    "expected a channel URL (https://www.youtube.com/channel/UC...), a playlist URL "
    "(https://www.youtube.com/playlist?list=...) or a feed URL "
    "(https://www.youtube.com/feeds/videos.xml?channel_id=...)"
)


def feed_url(url: str, search: str | None = None) -> str:
    """The Atom feed for a channel, user or playlist URL; ValueError with a hint otherwise."""
    if search:
        raise ValueError(f"search: {_NO_SEARCH}; remove search and give the channel's URL")
    require_http_url(url)
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    base = (
        "https://www.youtube.com" if host in _YOUTUBE_HOSTS else f"{parts.scheme}://{parts.netloc}"
    )
    path = parts.path.rstrip("/")
    params = dict(parse_qsl(parts.query))

    def feed(key: str, value: str) -> str:
        return f"{base}{FEED_PATH}?{urlencode({key: value})}"

    if path == FEED_PATH:
        for key, pattern in (
            ("channel_id", _CHANNEL_ID),
            ("playlist_id", _PLAYLIST_ID),
            ("user", _USER_NAME),
        ):
            if key in params:
                if not pattern.fullmatch(params[key]):
                    raise ValueError(f"{key}={params[key]!r} is not a valid YouTube {key}")
                return urlunsplit((parts.scheme, parts.netloc, FEED_PATH, parts.query, ""))
        raise ValueError(f"{_EXPECTED}; this feed URL names no channel_id or playlist_id")
    channel = _CHANNEL_PAGE.fullmatch(path)
    if channel:
        if not _CHANNEL_ID.fullmatch(channel.group(1)):
            raise ValueError(f"{channel.group(1)!r} is not a channel id (UC and 22 characters)")
        return feed("channel_id", channel.group(1))
    if path in ("/playlist", "/watch") and "list" in params:
        if not _PLAYLIST_ID.fullmatch(params["list"]):
            raise ValueError(f"{params['list']!r} is not a playlist id")
        return feed("playlist_id", params["list"])
    user = _USER_PAGE.fullmatch(path)
    if user and _USER_NAME.fullmatch(user.group(1)):
        return feed("user", user.group(1))
    if path.startswith(("/@", "/c/")):
        raise ValueError(
            f"a {'@handle' if path.startswith('/@') else '/c/'} URL cannot be turned into a "
            "channel id without scraping the channel page; open the channel, choose Share "
            "channel > Copy channel ID, and use https://www.youtube.com/channel/ followed by "
            "that id (it starts with UC)"
        )
    if path == "/results":
        raise ValueError(f"{_NO_SEARCH}; give a channel or playlist URL")
    raise ValueError(f"{_EXPECTED}, got {url!r}")


class YouTubeAdapter:
    """A YouTube channel, user or playlist, read from its Atom feed."""

    default_url: str | None = None

    def check(self, url: str, options: Mapping[str, Any]) -> None:
        feed_url(url, str(options.get("search") or "").strip() or None)

    def collect(self, source: SourceRequest, context: CollectContext) -> Collected:
        return collect_feed(source, context, feed_url(source.url, source.search))
