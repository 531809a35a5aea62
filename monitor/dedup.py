"""Stable keys that make the same item one mention: canonical URLs and content fingerprints."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from monitor.query import fold

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
        return _digest("url:" + canonical_url(url))
    if source_item_id:
        return _digest(f"id:{source}:{source_item_id}")
    return _digest("text:" + fingerprint)
