"""A web page as a mention: its title, main text, author and date, without menus, cookie walls
and footers (trafilatura), fetched through the same guarded fetcher as every source."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from monitor.errors import FetchError
from monitor.fetch import Fetcher
from monitor.text import plain_text

MAX_PAGE_BYTES = 3 * 1024 * 1024
MAX_TITLE = 500
MAX_TEXT = 20_000
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class Page:
    url: str  # where the page ended up, after redirects
    title: str
    text: str
    author: str = ""
    published_at: datetime | None = None


def read_page(fetcher: Fetcher, url: str) -> Page:
    """Fetch a page and extract what a reader would call the post; FetchError says why not
    (blocked address, not a web page, nothing readable)."""
    response = fetcher.get(url)
    if response.status >= 400:
        raise FetchError(f"the page answered HTTP {response.status}", status=response.status)
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind and kind not in _HTML_TYPES and not kind.startswith("text/"):
        raise FetchError(f"the link is not a web page but {kind}")
    if len(response.body) > MAX_PAGE_BYTES:
        raise FetchError(f"the page is larger than {MAX_PAGE_BYTES // (1024 * 1024)} MB")
    return page_from_html(response.body, response.url)


def page_from_html(body: bytes | str, url: str) -> Page:
    # trafilatura takes a third of a second to import: only forwards need it.
    import trafilatura

    document = trafilatura.bare_extraction(
        body, url=url, with_metadata=True, include_comments=False, favor_precision=True
    )
    if document is None or isinstance(document, dict):  # dict: only with as_dict=True
        raise FetchError("the page holds no readable text")
    text = plain_text(document.text or "", MAX_TEXT)
    title = plain_text(document.title or "", MAX_TITLE)
    if not text and not title:
        raise FetchError("the page holds no readable text")
    return Page(
        url=url,
        title=title,
        text=text,
        author=plain_text(document.author or "", 200),
        published_at=_date(document.date),
    )


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=moment.tzinfo or UTC)
