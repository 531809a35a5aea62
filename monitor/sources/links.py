"""Redirect wrappers around article links (Google Alerts, Google News, Bing News) unwrapped.

Every wrapped link is unique to the search that found it, so without unwrapping one article is
never the same mention twice, and the block lists see google.com instead of the publisher.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

MAX_URL = 2000

_GOOGLE_HOST = re.compile(r"(?:www\.)?google(?:\.[a-z]{2,3}){1,2}")
BING_HOSTS = ("bing.com", "www.bing.com")
_GOOGLE_NEWS_ARTICLE = re.compile(r"(?:/__i/rss/rd)?/(?:rss/)?articles/([A-Za-z0-9_-]{4,4000})")


def unwrap_redirect(url: str) -> str:
    """The article behind a Google, Google News or Bing News redirect link; other links as given.

    Handles https://www.google.com/url?...&url=REAL (Google Alerts), Bing's
    /news/apiclick.aspx?...&url=REAL, and Google News article links whose id still carries the
    address (the older format; newer ids are opaque and stay as they are).
    """
    for _ in range(3):  # a wrapper around a wrapper, but never a loop
        target = _redirect_target(url)
        if target is None:
            break
        url = target
    return url


def _redirect_target(url: str) -> str | None:
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
    except ValueError:  # e.g. "http://[oops": not a link we can read
        return None
    if _GOOGLE_HOST.fullmatch(host) and parts.path == "/url":
        params = parse_qs(parts.query)
        return _http_url(next(iter(params.get("url") or params.get("q") or ()), ""))
    if host in BING_HOSTS and parts.path.lower() == "/news/apiclick.aspx":
        return _http_url(next(iter(parse_qs(parts.query).get("url") or ()), ""))
    if host == "news.google.com":
        article = _GOOGLE_NEWS_ARTICLE.fullmatch(parts.path)
        return decode_google_news_id(article.group(1)) if article else None
    return None


def decode_google_news_id(article_id: str) -> str | None:
    """The address inside an older Google News article id, or None when the id hides it.

    The id is URL-safe base64 of a small protobuf message; in the older format one of its
    string fields is the article's URL ("CBMi" + length + URL + ...).
    """
    try:
        data = base64.urlsafe_b64decode(article_id + "=" * (-len(article_id) % 4))
    except (binascii.Error, ValueError):
        return None
    for value in _protobuf_strings(data):
        try:
            found = _http_url(value.decode("utf-8"))
        except UnicodeDecodeError:
            continue
        if found:
            return found
    return None


def _protobuf_strings(data: bytes) -> Iterator[bytes]:
    """The length-delimited fields at the top level of a protobuf message, until it stops making
    sense (a bad id is simply not decoded)."""
    position = 0
    while position < len(data):
        key = _varint(data, position)
        if key is None:
            return
        wire_type, position = key[0] & 7, key[1]
        value = _varint(data, position)
        if value is None or wire_type not in (0, 2):
            return
        position = value[1]
        if wire_type == 2:
            end = position + value[0]
            if end > len(data):
                return
            yield data[position:end]
            position = end


def _varint(data: bytes, position: int) -> tuple[int, int] | None:
    """The number at position and the position after it; None when the bytes run out."""
    value = 0
    for shift in range(0, 64, 7):
        if position >= len(data):
            return None
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, position
    return None


def _http_url(value: str) -> str | None:
    value = value.strip()
    if len(value) > MAX_URL or not value.lower().startswith(("http://", "https://")):
        return None
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value):
        return None
    try:
        return value if urlsplit(value).hostname else None
    except ValueError:
        return None
