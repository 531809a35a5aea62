"""Employees forward what they find (page, bookmarklet, API): the linked page is read, and the
forward becomes a mention that is classified and routed like any other, or joins the mention
already collected, and the forwarder is credited and later told when webcare handled it.

Bad input gets a clear WebcareError before anything is stored. A page that cannot be read does
not lose the forward: it is kept with the link and whatever text came with it.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import func, select

from monitor.alerts.personal import handled_alert
from monitor.config import Settings
from monitor.dedup import sighting_keys
from monitor.errors import BlockedAddressError, FetchError, WebcareError
from monitor.extract import Page, read_page
from monitor.fetch import Fetcher, is_forbidden_address
from monitor.names import FORWARD_CHANNELS, FORWARDS_SOURCE
from monitor.pipeline import Ingestor, IngestReport
from monitor.sources.base import Item
from monitor.store import forwards
from monitor.store.alerts import NewAlert, raise_alerts
from monitor.store.attachments import add_attachments
from monitor.store.db import Database
from monitor.store.models import Source, User, utcnow
from monitor.text import plain_text

MAX_URL = 2000
MAX_TEXT = 20_000
MAX_NOTE = 2000
MAX_TITLE = 200


@dataclass(frozen=True)
class Forwarded:
    forward_id: int
    mention_id: int
    existing: bool  # webcare had collected it already
    repeated: bool  # the same person sent the same thing moments ago: nothing new stored
    page_error: str | None = None  # why the linked page could not be read


def checked_url(url: str, *, allow_private: bool) -> str:
    """The link as given, or a WebcareError that says what is wrong with it."""
    if len(url) > MAX_URL:
        raise WebcareError(f"the link is longer than {MAX_URL} characters")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise WebcareError(f"{url[:100]!r} is not a link") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise WebcareError("only http:// and https:// links can be forwarded")
    if not host:
        raise WebcareError(f"{url[:100]!r} has no site in it")
    if not allow_private and _private_literal(host):
        raise WebcareError("links to private or local addresses are not fetched")
    return url


def _private_literal(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return is_forbidden_address(host.strip("[]"))


class Forwarder:
    """Turns forwards into mentions; one instance serves every request of a web process."""

    def __init__(self, settings: Settings, db: Database, ingestor: Ingestor, fetcher: Fetcher):
        self.settings = settings
        self.db = db
        self.ingestor = ingestor
        self.fetcher = fetcher

    def forward(
        self,
        *,
        url: str | None,
        text: str | None,
        note: str | None,
        channel: str,
        user: User | None,
        forwarder: str,
        now: datetime | None = None,
    ) -> Forwarded:
        url = (url or "").strip() or None
        text = (text or "").strip()
        note = (note or "").strip()
        if channel not in FORWARD_CHANNELS:
            raise WebcareError(f"unknown way in {channel!r}")
        if not url and not text:
            raise WebcareError("give a link, some text, or both")
        if len(text) > MAX_TEXT:
            raise WebcareError(f"the text is longer than {MAX_TEXT:,} characters; send the link")
        if len(note) > MAX_NOTE:
            raise WebcareError(f"the note is longer than {MAX_NOTE:,} characters")
        if not self.settings.brands:
            raise WebcareError("no brand is configured, so there is nothing to forward for")
        if url:
            url = checked_url(url, allow_private=self.settings.fetch.allow_private_addresses)
        print_ = forwards.fingerprint(forwarder, url, text)
        with self.db.read() as session:
            repeat = forwards.recent_repeat(session, forwarder, print_, now)
        if repeat is not None:
            return Forwarded(repeat.id, repeat.mention_id, repeat.existing, True)
        page, page_error = self._page(url) if url else (None, None)
        item = _item(url, text, page, now or utcnow())
        with self.db.write() as session:
            source_id = forwards.forwards_source_id(session)
        with self.db.read() as session:
            before = forwards.forwarded_before(
                session, source_id, sighting_keys([item], FORWARDS_SOURCE)[0]
            )
        if before is not None:
            mention_id, existing = before, True
        else:
            report = self.ingestor.ingest(
                source_id=source_id, source_name=FORWARDS_SOURCE, items=[item], now=now
            )
            if 0 not in report.mentions:
                raise WebcareError("the forward could not be stored; try again")
            mention_id, existing = report.mentions[0], report.new == 0
        with self.db.write() as session:
            forwards.lock_fingerprint(session, print_)
            # A double click that raced past the first check lands here second.
            repeat = forwards.recent_repeat(session, forwarder, print_, now)
            if repeat is not None:
                return Forwarded(repeat.id, repeat.mention_id, repeat.existing, True)
            forward = forwards.record_forward(
                session,
                mention_id=mention_id,
                user=user,
                forwarder=forwarder,
                channel=channel,
                url=url,
                note=note,
                existing=existing,
                fingerprint=print_,
            )
            return Forwarded(forward.id, mention_id, existing, False, page_error)

    def _page(self, url: str) -> tuple[Page | None, str | None]:
        try:
            return read_page(self.fetcher, url), None
        except BlockedAddressError:
            raise WebcareError("links to private or local addresses are not fetched") from None
        except FetchError as exc:
            return None, f"the page could not be read: {exc}"


def _item(url: str | None, text: str, page: Page | None, now: datetime) -> Item:
    """The forward as the pipeline sees it: the text the person chose, else the page's main
    text; the page's title, else the text's first line."""
    body = plain_text(text, MAX_TEXT) if text else (page.text if page else "")
    first_line = body.split("\n", 1)[0] if body else ""
    title = (page.title if page else "") or plain_text(first_line, MAX_TITLE) or (url or "")
    identity = (page.url if page else None) or url
    if identity is None:
        identity = "text:" + hashlib.sha256(body.encode()).hexdigest()
    return Item(
        source_item_id=identity,
        url=(page.url if page else None) or url,
        title=title[:MAX_TITLE] if not page else title,
        text=body,
        author=page.author if page else "",
        published_at=(page.published_at if page else None) or now,
    )


_ADDRESS = re.compile(r"<([^<>@\s]+@[^<>\s]+)>\s*$|^([^<>@\s]+@[^<>\s]+)$")


def credit_mail_forwards(
    db: Database, source_id: int, items: Sequence[Item], report: IngestReport
) -> int:
    """After a check of the webcare mailbox: credit each mail's sender with the mention it
    became or joined, and keep its screenshots there. A mail with a link that an earlier mail
    brought too is skipped by the pipeline as delivered, so its mention is looked up here. A
    sender with an account is that person; others are known by their address. Returns how many
    forwards were recorded."""
    credited = 0
    with db.write() as session:
        source = session.get(Source, source_id)
        name = source.name if source else ""
        for position, item in enumerate(items):
            mention_id = report.mentions.get(position)
            if mention_id is None:
                key = sighting_keys([item], name)[0]
                mention_id = forwards.forwarded_before(session, source_id, key)
            if mention_id is None:
                continue  # blocked or unmatched: there is nothing to credit
            add_attachments(session, [(mention_id, image) for image in item.images], utcnow())
            found = _ADDRESS.search(item.author.strip())
            address = (found.group(1) or found.group(2)).lower() if found else ""
            if not address:
                continue
            user = session.scalar(
                select(User).where(func.lower(User.email) == address, User.active.is_(True))
            )
            forwarder = user.name if user else address
            print_ = forwards.fingerprint(address, None, item.source_item_id or "")
            if forwards.credited(session, forwarder, print_):
                continue  # the same mail read again after a crash
            forwards.record_forward(
                session,
                mention_id=mention_id,
                user=user,
                forwarder=forwarder,
                channel="mail",
                url=item.url,
                # A mail of only the sender's words made the mention's text: no note beside it.
                note=item.note if item.note != item.text else None,
                existing=mention_id not in report.created,
                fingerprint=print_,
            )
            credited += 1
    return credited


def tell_forwarders(settings: Settings, db: Database, now: datetime | None = None) -> str:
    """Tell each forwarder whose forward webcare resolved (a periodic job, once across workers).
    Forwarders without a mail address are marked told: their page shows the status."""
    now = now or utcnow()
    with db.write() as session:
        due = forwards.handled_untold(session)
        alerts: list[NewAlert] = []
        for forward in due:
            target = _target(forward.user, forward.forwarder, forward.channel)
            if target and settings.mail.host:
                alerts.append(handled_alert(settings, forward, target, now))
            forward.notified_at = now
        raise_alerts(session, alerts, now)
    return f"{len(alerts)} told of {len(due)} handled forwards"


def _target(user: User | None, forwarder: str, channel: str) -> str | None:
    if user is not None:
        return f"user:{user.name}" if user.email and user.active else None
    if channel == "mail" and "@" in forwarder:
        return f"email:{forwarder}"
    return None
