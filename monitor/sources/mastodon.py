"""Public Mastodon posts under one hashtag or from one account, read without a token.

The url is what a person copies from the browser:
  https://INSTANCE/tags/NAME   the hashtag timeline, GET /api/v1/timelines/tag/NAME
  https://INSTANCE/@USER       the account's own posts (no boosts): the name is looked up with
                               GET /api/v1/accounts/lookup on every check (one small request,
                               and a renamed or moved account is found again), then
                               GET /api/v1/accounts/ID/statuses
  https://INSTANCE             with search = "#tag" or search = "@user" (or "@user@other.host")
Searching the text of posts needs a logged-in token on most instances, so plain words are
refused: use a hashtag or an account.

The etag of a mastodon source is not an HTTP validator but a bookmark of our own,
"<#tag or @user>|<newest status id seen>". A check asks with since_id for what is newer; when a
page comes back full it follows with max_id, at most MAX_PAGES pages, so a burst between two
checks is read to the end. A first check reads the newest page only; a bookmark for another
hashtag or account is ignored.

Authors are full handles ("klant@mastodon.social"), local accounts too, so one blocklist entry
holds whichever instance a post is seen on. Mastodon answers 429 with X-RateLimit-Reset and
no Retry-After: a 429 then waits one rate-limit window (RATE_WINDOW), and a successful answer
with few requests left asks not to be checked again before the window resets.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote, unquote, urlencode, urlsplit

from monitor.errors import FetchError
from monitor.fetch import FetchResponse
from monitor.sources.base import (
    CollectContext,
    Collected,
    Item,
    SourceRequest,
    iso_datetime,
    require_http_url,
)
from monitor.text import MAX_AUTHOR, MAX_TEXT, MAX_TITLE, html_to_text, plain_text, truncate

PAGE_SIZE = 40
MAX_PAGES = 3
RATE_WINDOW = 300.0
LOW_REMAINING = 10

_TAG = re.compile(r"\w{1,100}")
_ACCT = re.compile(r"[\w.-]{1,64}(@[A-Za-z0-9.-]{1,253})?")
_ID = re.compile(r"[A-Za-z0-9]{1,64}")
_LANGUAGE = re.compile(r"[a-z]{2}")
_EXAMPLES = 'a hashtag (search = "#acme") or an account (search = "@acme")'


@dataclass(frozen=True)
class Target:
    """What a source follows on one instance."""

    instance: str  # scheme://host[:port], no path
    kind: Literal["tag", "account"]
    name: str  # the tag without "#", the account without its leading "@"

    @property
    def key(self) -> str:
        return ("#" if self.kind == "tag" else "@") + self.name

    @property
    def host(self) -> str:
        return urlsplit(self.instance).hostname or ""


def target_of(url: str, search: str | None) -> Target:
    """The hashtag or account a url and search name; ValueError for a person otherwise."""
    require_http_url(url)
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    instance = f"{parts.scheme}://{netloc}" + (f":{parts.port}" if parts.port else "")
    named = _named_by_path([unquote(s) for s in parts.path.split("/") if s], url)
    if named is not None and search:
        raise ValueError(
            f"search: the url already names {_key(*named)}; leave search out, or give the "
            f"instance alone ({instance})"
        )
    if named is None:
        named = _named_by_search(search)
    kind, name = named
    if kind == "tag" and not _TAG.fullmatch(name):
        where = "search: " if search else ""
        raise ValueError(f'{where}expected one hashtag such as "#acme", got {_key(kind, name)!r}')
    if kind == "account" and not _ACCT.fullmatch(name):
        where = "search: " if search else ""
        raise ValueError(
            f'{where}expected one account such as "@acme" or "@acme@mastodon.social", '
            f"got {_key(kind, name)!r}"
        )
    return Target(instance, kind, name)


def _key(kind: str, name: str) -> str:
    return ("#" if kind == "tag" else "@") + name


def _named_by_path(segments: list[str], url: str) -> tuple[Literal["tag", "account"], str] | None:
    if segments[:1] == ["web"]:  # older web interface links
        segments = segments[1:]
    if not segments:
        return None
    if len(segments) == 2 and segments[0] == "tags":
        return "tag", segments[1]
    if len(segments) == 5 and segments[:4] == ["api", "v1", "timelines", "tag"]:
        return "tag", segments[4]
    if segments[0].startswith("@") and (
        len(segments) == 1 or (len(segments) == 2 and segments[1] in ("with_replies", "media"))
    ):
        return "account", segments[0][1:]
    if len(segments) == 2 and segments[0] == "users":
        return "account", segments[1]
    raise ValueError(
        "expected a Mastodon hashtag page (https://mastodon.social/tags/acme), a profile "
        f"(https://mastodon.social/@acme) or an instance with search, got {url!r}"
    )


def _named_by_search(search: str | None) -> tuple[Literal["tag", "account"], str]:
    words = (search or "").strip()
    if words.startswith("#"):
        return "tag", words[1:]
    if words.startswith("@"):
        return "account", words[1:]
    if not words:
        raise ValueError(
            f"search: required when the url is an instance alone: {_EXAMPLES}; or give the "
            "url of a hashtag page or profile"
        )
    raise ValueError(
        "search: most Mastodon instances search the text of posts only for logged-in users; "
        f"use {_EXAMPLES}"
    )


class MastodonAdapter:
    default_url: str | None = None

    def check(self, url: str, options: Mapping[str, Any]) -> None:
        target_of(url, options.get("search"))

    def collect(self, source: SourceRequest, context: CollectContext) -> Collected:
        try:
            target = target_of(source.url, source.search)
        except ValueError as exc:
            raise FetchError(str(exc)) from None
        try:
            return _collect(target, source, context)
        except FetchError as exc:
            raise _explained(exc, target) from None


def _collect(target: Target, source: SourceRequest, context: CollectContext) -> Collected:
    def get(url: str) -> FetchResponse:
        response = context.fetcher.get(
            url, headers=source.headers, allow_private=source.allow_private_addresses
        )
        collected.bytes_read += len(response.body)
        wait = _rate_limit_wait(response.headers)
        if wait is not None:
            collected.min_interval = max(collected.min_interval or 0.0, wait)
        return response

    collected = Collected(items=[], etag=source.etag)
    since = _bookmark(source.etag, target)
    if target.kind == "tag":
        path = f"/api/v1/timelines/tag/{quote(target.name, safe='')}"
        params = {"limit": str(PAGE_SIZE)}
    else:
        lookup = f"{target.instance}/api/v1/accounts/lookup?{urlencode({'acct': target.name})}"
        account = _json(get(lookup).body)
        account_id = _id(account.get("id")) if isinstance(account, dict) else None
        if account_id is None:
            raise FetchError(f"{target.host} did not answer the account lookup with an id")
        path = f"/api/v1/accounts/{account_id}/statuses"
        params = {"limit": str(PAGE_SIZE), "exclude_reblogs": "true"}
    if since is not None:
        params["since_id"] = since
    newest = since
    for _ in range(MAX_PAGES if since is not None else 1):
        statuses = _statuses(get(f"{target.instance}{path}?{urlencode(params)}").body)
        ids = [i for i in (_id(s.get("id")) for s in statuses) if i is not None]
        newest = max([*ids, *([newest] if newest else [])], key=_order, default=None)
        for status in statuses:
            item = status_to_item(status, target.host)
            if item is not None:
                collected.items.append(item)
        if len(statuses) < PAGE_SIZE or not ids:
            break
        params["max_id"] = min(ids, key=_order)
    if newest is not None:
        collected.etag = f"{target.key}|{newest}"
    return collected


def _bookmark(etag: str | None, target: Target) -> str | None:
    key, _, newest = (etag or "").rpartition("|")
    return newest if key == target.key and _ID.fullmatch(newest) else None


def _order(status_id: str) -> tuple[int, str]:
    # Ids are strings: Mastodon's are decimal numbers of growing length, Pleroma's are flake ids
    # of one length; comparing length, then text, orders both.
    return len(status_id), status_id


def _explained(exc: FetchError, target: Target) -> FetchError:
    """The fetcher's error, in the words of a person who follows a Mastodon timeline."""
    status = exc.status
    if status in (401, 403, 422):
        message = (
            f"{target.host} shows {target.key} only to logged-in users (HTTP {status}); follow "
            "it on an instance that shows it publicly"
        )
    elif status == 404 and target.kind == "account":
        message = f"no account {target.key} on {target.host} (HTTP 404)"
    elif status == 404:
        message = f"no Mastodon API at {target.instance} (HTTP 404)"
    elif status == 429 and exc.retry_after is None:
        return FetchError(str(exc), retry_after=RATE_WINDOW, status=status)
    else:
        return exc
    return FetchError(message, retry_after=exc.retry_after, status=status)


def _rate_limit_wait(headers: Mapping[str, str]) -> float | None:
    """Seconds until the rate limit resets, when few requests are left; else None."""
    lower = {name.lower(): value for name, value in headers.items()}
    remaining = lower.get("x-ratelimit-remaining", "").strip()
    if not remaining.isascii() or not remaining.isdigit() or int(remaining) > LOW_REMAINING:
        return None
    reset = lower.get("x-ratelimit-reset", "").strip()
    if reset.isascii() and reset.isdigit():  # GoToSocial: a Unix time
        moment = float(reset)
    else:  # Mastodon: an ISO 8601 time
        parsed = iso_datetime(reset)
        if parsed is None:
            return None
        moment = parsed.timestamp()
    wait = moment - time.time()
    return min(wait, 3600.0) if wait > 0 else None


def _json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8-sig"))
    # ValueError covers bad UTF-8, bad JSON and integers too long to convert; RecursionError
    # covers hostile nesting.
    except (ValueError, RecursionError) as exc:
        if body[:512].lstrip().lower().startswith((b"<!doctype html", b"<html")):
            raise FetchError("the Mastodon API returned an HTML page, not JSON") from None
        raise FetchError(f"the Mastodon API returned invalid JSON ({exc})"[:300]) from None


def _statuses(body: bytes) -> list[dict[str, Any]]:
    document = _json(body)
    if not isinstance(document, list):
        raise FetchError("not a Mastodon timeline: JSON without a list of posts")
    return [status for status in document[:PAGE_SIZE] if isinstance(status, dict)]


def status_to_item(status: Mapping[str, Any], instance_host: str) -> Item | None:
    """A post as an Item (a boost as the post it boosts), or None when it has no words."""
    boosted = status.get("reblog")
    if isinstance(boosted, dict):
        status = boosted
    spoiler = plain_text(_str(status.get("spoiler_text")), MAX_TITLE)
    content = html_to_text(_str(status.get("content")), MAX_TEXT)
    text = truncate(f"{spoiler}\n\n{content}".strip(), MAX_TEXT)
    if not text:
        return None
    link = next(
        (
            value.strip()[:2000]
            for value in (_str(status.get("url")), _str(status.get("uri")))
            if value.strip().startswith(("http://", "https://"))
        ),
        None,
    )
    # ISO 639-1 ("nl", "en-GB"); the three-letter codes some posts carry mean nothing to us.
    language = _str(status.get("language")).split("-")[0].strip().lower()
    return Item(
        source_item_id=_id(status.get("id")),
        url=link,
        title="",
        text=text,
        author=_author(status.get("account"), instance_host),
        published_at=iso_datetime(status.get("created_at")),
        language_hint=language if _LANGUAGE.fullmatch(language) else None,
    )


def _author(account: Any, instance_host: str) -> str:
    acct = _str(account.get("acct")) if isinstance(account, dict) else ""
    acct = " ".join(plain_text(acct, MAX_AUTHOR).split()).lstrip("@")
    if acct and "@" not in acct and instance_host:
        acct = f"{acct}@{instance_host}"  # local accounts: acct is the bare user name
    return truncate(acct, MAX_AUTHOR)


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _id(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        value = str(value)
    return value if isinstance(value, str) and _ID.fullmatch(value) else None
