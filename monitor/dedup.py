"""Stable keys that make the same item one mention: canonical URLs and content fingerprints."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from monitor.query import fold

if TYPE_CHECKING:
    from monitor.matching import Matched
    from monitor.sources.base import Item

_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|_hsenc|_hsmi|mkt_tok|ref_src|"
    r"ref_url|cmpid|ocid|sr_share|at_medium|at_campaign|at_source)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no default port, fragment or tracking parameters, no
    trailing slash: the same article reached through different links gets one form."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    if ":" in host:  # an IPv6 literal keeps its brackets, or the port would be ambiguous
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    path = parts.path.rstrip("/") or "/"  # "", "/" and "//" are all the root
    query = urlencode(
        sorted(
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not _TRACKING.match(k)
        )
    )
    return urlunsplit((scheme, netloc, path, query, ""))


def content_hash(title: str, text: str) -> str:
    """Fingerprint of the words, ignoring case, accents, punctuation and spacing."""
    words = re.findall(r"\w+", fold(f"{title}\n{text}"))
    return hashlib.sha256(" ".join(words).encode()).hexdigest()


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def dedup_key(
    *,
    url: str | None,
    source_item_id: str | None,
    source: str,
    fingerprint: str,
    url_is_unique: bool = True,
) -> str:
    """One key per item: its canonical URL, else its id within the source, else its content.

    url_is_unique is False when one batch shows the same URL on different items (feeds that
    link every entry to their home page); the URL then says nothing about identity.
    """
    if url and url_is_unique:
        return url_key(url)
    if source_item_id:
        return item_key(source, source_item_id)
    return _digest("text:" + fingerprint)


def url_key(url: str) -> str:
    """The key of a canonical URL: the same article behind different links."""
    return _digest("url:" + canonical_url(url))


def item_key(source: str, source_item_id: str) -> str:
    """The key of an item's id within its source (a feed's guid)."""
    return _digest(f"id:{source}:{source_item_id}")


def word_count(title: str, text: str) -> int:
    return len(re.findall(r"\w+", f"{title} {text}"))


# Below this many words the same text is not the same post: "Storing?" from two people is two
# questions. Longer identical texts are reposts or syndicated copies.
MIN_WORDS_FOR_TEXT_IDENTITY = 8


@dataclass(frozen=True)
class KnownMention:
    """The identities of a stored mention, as the dedup stage compares them."""

    id: int
    dedup_key: str
    url_key: str | None
    item_key: str | None
    content_hash: str


@dataclass(frozen=True)
class Keyed:
    """A matched item with every identity it may share with a stored mention."""

    matched: Matched
    key: str
    url_key: str | None
    item_key: str | None
    fingerprint: str
    sighting_key: str

    @property
    def text_identifies(self) -> bool:
        item = self.matched.item
        return word_count(item.title, item.text) >= MIN_WORDS_FOR_TEXT_IDENTITY


@dataclass(frozen=True)
class _Identity:
    key: str
    url_key: str | None
    item_key: str | None
    fingerprint: str
    sighting_key: str


def _identities(items: Sequence[Item], source: str) -> list[_Identity]:
    fingerprints = [content_hash(item.title, item.text) for item in items]
    contents_per_url: dict[str, set[str]] = {}
    for item, fingerprint in zip(items, fingerprints, strict=True):
        if item.url:
            contents_per_url.setdefault(item.url, set()).add(fingerprint)
    found = []
    for item, fingerprint in zip(items, fingerprints, strict=True):
        url_is_unique = len(contents_per_url.get(item.url or "", ())) <= 1
        key = dedup_key(
            url=item.url,
            source_item_id=item.source_item_id,
            source=source,
            fingerprint=fingerprint,
            url_is_unique=url_is_unique,
        )
        found.append(
            _Identity(
                key=key,
                url_key=url_key(item.url) if item.url and url_is_unique else None,
                item_key=item_key(source, item.source_item_id) if item.source_item_id else None,
                fingerprint=fingerprint,
                sighting_key=_digest(f"sighting:{source}:{key}"),
            )
        )
    return found


def sighting_keys(items: Sequence[Item], source: str) -> list[str]:
    """The key each item's sighting in this source gets: lets a refetch skip what it saw."""
    return [identity.sighting_key for identity in _identities(items, source)]


def assign_keys(matched: Sequence[Matched], source: str) -> list[Keyed]:
    """Give each item its keys and drop repeats within the batch itself."""
    identities = _identities([m.item for m in matched], source)
    keyed: dict[str, Keyed] = {}
    for m, identity in zip(matched, identities, strict=True):
        keyed.setdefault(
            identity.key,
            Keyed(
                matched=m,
                key=identity.key,
                url_key=identity.url_key,
                item_key=identity.item_key,
                fingerprint=identity.fingerprint,
                sighting_key=identity.sighting_key,
            ),
        )
    return list(keyed.values())


def resolve_known(keyed: Sequence[Keyed], known: Sequence[KnownMention]) -> dict[str, int]:
    """Which stored mention each item already is: by key, canonical URL, id, or long text."""
    by: dict[str, dict[str, int]] = {"key": {}, "url": {}, "item": {}, "text": {}}
    for mention in sorted(known, key=lambda m: -m.id):  # the oldest mention wins
        by["key"][mention.dedup_key] = mention.id
        if mention.url_key:
            by["url"][mention.url_key] = mention.id
        if mention.item_key:
            by["item"][mention.item_key] = mention.id
        by["text"][mention.content_hash] = mention.id
    resolved: dict[str, int] = {}
    for k in keyed:
        found = (
            by["key"].get(k.key)
            or (by["url"].get(k.url_key) if k.url_key else None)
            or (by["item"].get(k.item_key) if k.item_key else None)
            or (by["text"].get(k.fingerprint) if k.text_identifies else None)
        )
        if found is not None:
            resolved[k.key] = found
    return resolved
