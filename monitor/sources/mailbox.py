"""The webcare mailbox: mails that employees forward to webcare@ become Items, over IMAP.

Config: `url = "imaps://imap.example.org/INBOX"` (imaps:// is TLS from the first byte, port 993;
imap:// is port 143 and upgrades with STARTTLS, and stays plain only on a loopback or private
address the source is allowed to reach; the path is the folder, INBOX when left out),
`username`, and `password_env`: the name of the environment variable that holds the password,
read at each check so the password is never in the config or the database.

Each check selects the folder, searches for mails not yet processed (oldest first, at most
MAX_MAILS_PER_CHECK), and turns each into an Item. "Processed" is the IMAP keyword
$WebcareProcessed where the folder accepts keywords, else \\Seen (then a mail a person opened
first is missed: give the account a folder of its own). Fetching uses BODY.PEEK, so reading a
mail never marks it read for the people who share the mailbox.

When to mark: the collector stores the Items only after collect() returns, so a mail marked
during collect() would be lost whenever that storing fails or the process dies in between. So
marking happens one check later: collect() returns the folder's UIDVALIDITY and the UIDs it
turned into Items as the Collected's etag, the collector keeps that etag only when the Items
were stored, and the next check marks exactly those UIDs before it searches. That is
at-least-once: a mail is read again until its Items are safely stored, and reading it twice is
harmless because the pipeline knows a mail again by its Message-ID (source_item_id). Marking
UIDs, never "everything unseen", keeps a mail that arrived meanwhile for the next check. A
full refetch (which drops the etag) or a changed UIDVALIDITY only means reading some mails twice.
"""

from __future__ import annotations

import base64
import hashlib
import imaplib
import logging
import os
import re
import socket
import ssl
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email import policy
from email.errors import MessageError
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from monitor.errors import BlockedAddressError, FetchError
from monitor.extract import Page, read_page
from monitor.fetch import Fetcher, FetchPolicy, is_forbidden_address
from monitor.images import MAX_IMAGE_BYTES, MAX_IMAGES, is_whole, safe_filename, sniff
from monitor.sources.base import CollectContext, Collected, Image, Item, SourceRequest
from monitor.text import MAX_AUTHOR, MAX_TEXT, MAX_TITLE, html_to_text, plain_text, truncate

log = logging.getLogger(__name__)

PROCESSED_KEYWORD = "$WebcareProcessed"
MAX_MAILS_PER_CHECK = 200
# Larger mails are read only this far: the text comes first, attachments (screenshots) last.
MAX_MAIL_BYTES = 5 * 1024 * 1024
MAX_ID_LENGTH = 500
MAX_URL_LENGTH = 2000
# Linked pages read per check, and how many at once.
MAX_PAGES_PER_CHECK = 50
PAGE_READERS = 4
_PORTS = {"imaps": 993, "imap": 143}


# --- configuration ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MailboxAddress:
    """Where the mailbox is: host, port, whether TLS starts at once, and the folder."""

    host: str
    port: int
    implicit_tls: bool
    folder: str


def parse_mailbox_url(url: str) -> MailboxAddress:
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in _PORTS or not parts.hostname:
        raise ValueError(
            f"expected an imaps:// or imap:// URL such as imaps://imap.example.org/INBOX, "
            f"got {url!r}"
        )
    if parts.username is not None or parts.password is not None:
        raise ValueError(
            "put no user name or password in the url: use username, and password_env for the "
            "environment variable that holds the password"
        )
    try:
        port = parts.port or _PORTS[parts.scheme.lower()]
    except ValueError:
        raise ValueError(f"the port in {url!r} is not a number from 1 to 65535") from None
    folder = unquote(parts.path.strip("/")) or "INBOX"
    return MailboxAddress(parts.hostname, port, parts.scheme.lower() == "imaps", folder)


# --- the adapter ------------------------------------------------------------------------------


class MailboxAdapter:
    default_url = None

    def check(self, url: str, options: Mapping[str, Any]) -> None:
        parse_mailbox_url(url)
        if not options.get("username"):
            raise ValueError("username: required for imap sources: the mailbox's login name")
        if not options.get("password_env"):
            raise ValueError(
                "password_env: required for imap sources: the name of the environment variable "
                "that holds the password (the password itself never goes in the config)"
            )

    def collect(self, source: SourceRequest, context: CollectContext) -> Collected:
        try:
            address = parse_mailbox_url(source.url)
        except ValueError as exc:
            raise FetchError(str(exc)) from None
        username, password = _credentials(source.options)
        policy_ = context.fetcher.policy
        allow = source.allow_private_addresses
        if allow is None:
            allow = policy_.allow_private_addresses
        deadline = time.monotonic() + policy_.total_timeout
        with _session(address, policy_, allow=allow) as imap:
            _login(imap, address, username, password, str(source.options["password_env"]))
            folder = _select(imap, address.folder)
            _mark(imap, folder, _confirmed(source.etag, folder.uidvalidity))
            poll = _Poll(imap, source.name, deadline)
            poll.run(_search(imap, folder.marker))
        token = f"imap:{folder.uidvalidity}:{_uid_set(poll.handled)}" if poll.handled else None
        items = poll.items
        if source.options.get("read_links", True):
            # After the mailbox is closed: a slow site must not hold the IMAP session open.
            items = read_linked_pages(items, context.fetcher, deadline, source.name)
        return Collected(items=items, etag=token, bytes_read=poll.bytes_read)


def read_linked_pages(
    items: list[Item], fetcher: Fetcher, deadline: float, source_name: str
) -> list[Item]:
    """Each mailed link read as the forward page reads one: the page's title and main text make
    the mention, the mail's forwarded text stays the text where there is one (it is what the
    person chose to send), and the forwarder's own words stay in the note. Each address is read
    once, however many mails bring it. A page that cannot be read (blocked, gone, slow, no text)
    leaves the mail as it came: nothing is lost."""
    urls = list(dict.fromkeys(str(item.url) for item in items if item.url))[:MAX_PAGES_PER_CHECK]
    if not urls:
        return items

    def page(url: str) -> Page | None:
        if time.monotonic() > deadline:  # each fetch has its own time limit besides
            log.info("%s: out of time; %s was not read", source_name, url)
            return None
        try:
            return read_page(fetcher, url)
        except FetchError as exc:  # a blocked address is one too
            log.info("%s: %s was not read: %s", source_name, url, exc)
            return None

    with ThreadPoolExecutor(max_workers=PAGE_READERS, thread_name_prefix="mail-links") as pool:
        pages = dict(zip(urls, pool.map(page, urls), strict=True))
    return [
        _with_page(item, found) if item.url and (found := pages.get(item.url)) else item
        for item in items
    ]


def _with_page(item: Item, page: Page) -> Item:
    mail_text_is_only_the_note = item.text == item.note  # the mail forwarded nothing
    return replace(
        item,
        url=page.url or item.url,
        title=truncate(page.title, MAX_TITLE) or item.title,
        text=page.text if mail_text_is_only_the_note and page.text else item.text,
        published_at=page.published_at or item.published_at,
    )


def _credentials(options: Mapping[str, Any]) -> tuple[str, str]:
    username, variable = options.get("username"), options.get("password_env")
    if not username or not variable:
        raise FetchError("imap sources need username and password_env in the config")
    password = os.environ.get(str(variable))
    if not password:
        raise FetchError(
            f"the environment variable {variable} that should hold the mailbox password is not "
            "set (or empty) for the collector process"
        )
    return str(username), password


# --- connecting -------------------------------------------------------------------------------


class _PinnedIMAP(imaplib.IMAP4):
    """imaplib's client on a socket we opened ourselves, to an address the guard judged.

    Connecting to the judged address (not the name again) means a DNS answer that changes
    between the check and the connection cannot reach a forbidden address.
    """

    def __init__(self, host: str, port: int, connect: Callable[[], socket.socket]) -> None:
        self._open_socket = connect
        super().__init__(host, port)

    def _create_socket(self, timeout: float | None = None) -> socket.socket:
        return self._open_socket()


def _addresses(host: str, port: int, *, allow_private: bool) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"cannot resolve host {host!r}: {exc}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    blocked = [a for a in addresses if is_forbidden_address(a)]
    if blocked and not allow_private:
        raise BlockedAddressError(
            f"refused to connect to {host} ({blocked[0]}): loopback, private and link-local "
            "addresses are blocked (set allow_private_addresses = true on the source to allow "
            "them)"
        )
    return addresses


def _opener(
    address: MailboxAddress, policy_: FetchPolicy, addresses: list[str]
) -> Callable[[], socket.socket]:
    def connect() -> socket.socket:
        errors: list[str] = []
        for ip in addresses:
            try:
                sock = socket.create_connection((ip, address.port), policy_.connect_timeout)
            except OSError as exc:
                errors.append(f"{ip}: {exc.strerror or exc}")
                continue
            sock.settimeout(policy_.read_timeout)
            if not address.implicit_tls:
                return sock
            try:
                return ssl.create_default_context().wrap_socket(sock, server_hostname=address.host)
            except OSError:
                sock.close()
                raise
        raise FetchError(
            f"cannot connect to {address.host} port {address.port}: " + "; ".join(errors)
        )

    return connect


@contextmanager
def _session(
    address: MailboxAddress, policy_: FetchPolicy, *, allow: bool
) -> Iterator[_PinnedIMAP]:
    """A connection with TLS in place (or plain on an allowed private address); logs out after."""
    addresses = _addresses(address.host, address.port, allow_private=allow)
    where = f"{address.host} port {address.port}"
    imap: _PinnedIMAP | None = None
    polite = False
    try:
        imap = _PinnedIMAP(address.host, address.port, _opener(address, policy_, addresses))
        if not address.implicit_tls:
            _upgrade(imap, address, addresses)
        yield imap
        polite = True
    except ssl.SSLCertVerificationError as exc:
        raise FetchError(
            f"the TLS certificate of {where} is not valid: {exc.verify_message}"
        ) from None
    except ssl.SSLError as exc:
        raise FetchError(
            f"TLS with {where} failed ({exc.reason or exc}); imaps:// expects TLS from the "
            "first byte (port 993), imap:// starts plain and upgrades with STARTTLS (port 143)"
        ) from None
    except TimeoutError:
        raise FetchError(f"{where} did not answer in time") from None
    except imaplib.IMAP4.error as exc:
        raise FetchError(f"the IMAP server at {where} said: {_said(exc)}") from None
    except OSError as exc:
        raise FetchError(f"connection to {where} failed: {exc.strerror or exc}") from None
    finally:
        if imap is not None:
            _close(imap, polite=polite)


def _close(imap: _PinnedIMAP, *, polite: bool) -> None:
    """LOGOUT after good work; after an error just hang up, not wait for a stuck server again."""
    try:
        imap.logout() if polite else imap.shutdown()
    except (imaplib.IMAP4.error, OSError) as exc:
        log.debug("closing the IMAP connection failed: %s", exc)


def _upgrade(imap: _PinnedIMAP, address: MailboxAddress, addresses: list[str]) -> None:
    if "STARTTLS" in imap.capabilities:
        imap.starttls(ssl.create_default_context())
        return
    if all(is_forbidden_address(a) for a in addresses):
        return  # a private address this source may reach: a test server or the LAN
    raise FetchError(
        f"{address.host} offers no STARTTLS, and the password is never sent in the clear: use "
        "imaps:// (port 993)"
    )


def _said(said: object) -> str:
    """What the server said (an imaplib error or a response's data), as readable text."""
    if isinstance(said, BaseException):
        said = said.args[0] if said.args else type(said).__name__
    if isinstance(said, list | tuple):
        said = b" ".join(p for p in said if isinstance(p, bytes))
    if isinstance(said, bytes):
        said = said.decode("utf-8", "replace")
    return re.sub(r"^b'(.*)'$", r"\1", str(said)).strip() or "no reason given"


def _login(
    imap: _PinnedIMAP, address: MailboxAddress, username: str, password: str, variable: str
) -> None:
    try:
        if username.isascii() and password.isascii():
            imap.login(username, password)
        else:  # LOGIN is ASCII only; AUTHENTICATE PLAIN carries UTF-8
            credentials = f"\0{username}\0{password}".encode()
            imap.authenticate("PLAIN", lambda _challenge: credentials)
    except imaplib.IMAP4.abort:
        raise
    except imaplib.IMAP4.error as exc:
        raise FetchError(
            f"login as {username!r} at {address.host} failed: {_said(exc)} (check username "
            f"and the password in ${variable})"
        ) from None


# --- polling the folder -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Folder:
    name: str
    uidvalidity: int
    marker: str  # the flag that says "processed" here


def _select(imap: _PinnedIMAP, name: str) -> _Folder:
    status, data = imap.select(_quoted(_modified_utf7(name)))
    if status != "OK":
        raise FetchError(f"cannot open the folder {name!r}: {_said(data)}")
    _, permanent = imap.response("PERMANENTFLAGS")
    _, validity = imap.response("UIDVALIDITY")
    flags = b" ".join(f for f in permanent if isinstance(f, bytes)).decode("ascii", "replace")
    return _Folder(name, _first_int(validity), _marker(flags))


def _marker(permanent_flags: str) -> str:
    """The keyword where the folder lets clients create keywords (\\*) or has ours, else \\Seen."""
    tokens = permanent_flags.replace("(", " ").replace(")", " ").split()
    return PROCESSED_KEYWORD if "\\*" in tokens or PROCESSED_KEYWORD in tokens else "\\Seen"


def _search(imap: _PinnedIMAP, marker: str) -> list[int]:
    criteria = ("UNKEYWORD", marker) if marker != "\\Seen" else ("UNSEEN",)
    status, data = imap.uid("SEARCH", *criteria, "UNDELETED")
    if status != "OK":
        raise FetchError(f"the server refused to search the folder: {_said(data)}")
    return sorted({int(n) for chunk in data if isinstance(chunk, bytes) for n in chunk.split()})


def _mark(imap: _PinnedIMAP, folder: _Folder, uid_set: str | None) -> None:
    if not uid_set:
        return
    status, data = imap.uid("STORE", uid_set, "+FLAGS.SILENT", f"({folder.marker})")
    if status != "OK":
        raise FetchError(
            f"cannot mark mails as processed in {folder.name!r} ({_said(data)}); "
            "the account needs write access to the folder"
        )


class _Poll:
    """Reads the mails one by one into Items within the deadline."""

    def __init__(self, imap: _PinnedIMAP, source_name: str, deadline: float) -> None:
        self.imap = imap
        self.name = source_name
        self.deadline = deadline
        self.items: list[Item] = []
        self.handled: list[int] = []
        self.bytes_read = 0

    def run(self, uids: list[int]) -> None:
        if len(uids) > MAX_MAILS_PER_CHECK:
            log.info(
                "%s: %d unprocessed mails; reading the oldest %d now, the rest next time",
                self.name,
                len(uids),
                MAX_MAILS_PER_CHECK,
            )
            uids = uids[:MAX_MAILS_PER_CHECK]
        sizes = self._sizes(uids)
        for uid in uids:
            if time.monotonic() > self.deadline:
                log.warning("%s: out of time; the rest waits for the next check", self.name)
                return
            self._read(uid, sizes.get(uid, 0))

    def _sizes(self, uids: list[int]) -> dict[int, int]:
        if not uids:
            return {}
        _, data = self.imap.uid("FETCH", _uid_set(uids), "(RFC822.SIZE)")
        sizes: dict[int, int] = {}
        for line in data:
            if isinstance(line, bytes):
                uid, size = re.search(rb"UID (\d+)", line), re.search(rb"RFC822\.SIZE (\d+)", line)
                if uid and size:
                    sizes[int(uid.group(1))] = int(size.group(1))
        return sizes

    def _read(self, uid: int, size: int) -> None:
        part = f"BODY.PEEK[]<0.{MAX_MAIL_BYTES}>" if size > MAX_MAIL_BYTES else "BODY.PEEK[]"
        _, data = self.imap.uid("FETCH", str(uid), f"({part})")
        raw = next((d[1] for d in data if isinstance(d, tuple) and b"BODY[" in d[0].upper()), None)
        if raw is None:  # expunged since the search: nothing to read, nothing to mark
            return
        self.bytes_read += len(raw)
        if size > MAX_MAIL_BYTES:
            log.warning(
                "%s: mail UID %d is %d bytes; only its first %d were read",
                self.name,
                uid,
                size,
                MAX_MAIL_BYTES,
            )
        try:
            self.items.append(mail_to_item(raw))
        except _PARSE_ERRORS:
            # The email package's parser has known crashes on broken mail; one such mail must
            # not hold up the box, so it is recorded, marked and left in the folder for a person.
            log.warning("%s: mail UID %d could not be read; skipped", self.name, uid, exc_info=True)
        self.handled.append(uid)


def _confirmed(etag: str | None, uidvalidity: int) -> str | None:
    """The UID set the previous check handed over, if it is of this folder's UIDs."""
    match = re.fullmatch(r"imap:(\d+):(\d+(?::\d+)?(?:,\d+(?::\d+)?)*)", etag or "")
    if not match or int(match.group(1)) != uidvalidity:
        return None
    return match.group(2)


def _uid_set(uids: list[int]) -> str:
    """1,2,3,5 -> "1:3,5"."""
    ranges: list[list[int]] = []
    for uid in sorted(set(uids)):
        if ranges and uid == ranges[-1][1] + 1:
            ranges[-1][1] = uid
        else:
            ranges.append([uid, uid])
    return ",".join(f"{a}:{b}" if a != b else str(a) for a, b in ranges)


def _first_int(data: list[Any]) -> int:
    for value in data:
        if isinstance(value, bytes) and value.strip().isdigit():
            return int(value)
    return 0


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _modified_utf7(name: str) -> str:
    """Folder names travel in IMAP's modified UTF-7 (RFC 3501, 5.1.3)."""
    out, pending = [], ""

    def flush() -> None:
        nonlocal pending
        if pending:
            encoded = base64.b64encode(pending.encode("utf-16-be")).decode().rstrip("=")
            out.append("&" + encoded.replace("/", ",") + "-")
            pending = ""

    for char in name:
        if " " <= char <= "~":
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending += char
    flush()
    return "".join(out)


# --- one mail -> one Item ---------------------------------------------------------------------

_PARSER = BytesParser(policy=policy.default)
_FORWARD_PREFIX = re.compile(
    r"^\s*(?:(?:fwd?|doorst|tr|wg|forward|doorgestuurd)\s*(?:\[\d+\])?\s*:\s*)+",
    re.IGNORECASE,
)
# "---------- Forwarded message ---------", "-------- Doorgestuurd bericht --------",
# "-----Original Message-----", "Begin forwarded message:", Outlook's line of underscores.
_FORWARD_MARKER = re.compile(
    r"^[ \t>]*(?:-{2,}[ \t]*[^\n-][^\n]{2,60}?[ \t]*-{2,}|_{10,}|begin (?:forwarded|doorgestuurd)"
    r" (?:message|bericht):?)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
# Outlook also quotes the forwarded mail's headers with no marker: "Van: ..." then "Verzonden:".
_OUTLOOK_HEADER = re.compile(
    r"^[ \t]*(?:from|van|von|de):[^\n]*\n(?:[ \t]*\n)?[ \t]*(?:sent|verzonden|gesendet|envoyé"
    r"|date|datum):",
    re.IGNORECASE | re.MULTILINE,
)
_SIGNATURE = re.compile(r"^-- ?$", re.MULTILINE)
_LINK = re.compile(r"https?://[^\s<>\"'()\[\]{}|\\^`]+", re.IGNORECASE)
_HREF = re.compile(
    r"<a\b[^>]*?\bhref\s*=\s*[\"']?(https?://[^\"'\s<>]+)[^>]*>", re.IGNORECASE | re.DOTALL
)
# Links every mail carries that never point at what was forwarded ("Get Outlook for iOS").
_FOOTER_HOSTS = ("aka.ms", "go.microsoft.com")
_LATIN1_LABELS = {"iso-8859-1", "iso8859-1", "iso_8859-1", "latin-1", "latin1", "l1", "cp819"}


def mail_to_item(raw: bytes) -> Item:
    """One forwarded mail as an Item: the forwarder as author and their words as the note, the
    forwarded post as url and text."""
    message = _PARSER.parsebytes(raw)
    sender, sender_domain = _sender(message)
    body = _read_body(message)
    return Item(
        source_item_id=_message_id(message, raw),
        url=_pick_link(body.links, sender_domain),
        title=_one_line(_FORWARD_PREFIX.sub("", _header(message, "Subject")), MAX_TITLE),
        # What was forwarded is the post; with nothing forwarded, the sender's words are.
        text=plain_text(body.forwarded or body.note, MAX_TEXT),
        author=_one_line(sender, MAX_AUTHOR),
        published_at=_date(message),
        images=_images(message),
        note=plain_text(body.note, MAX_TEXT),
    )


def _images(message: EmailMessage) -> tuple[Image, ...]:
    """The screenshots in the mail and in a mail attached to it: safe formats only, each whole
    (a mail read only in part may end in a cut one), at most MAX_IMAGES."""
    found: list[Image] = []
    seen: set[bytes] = set()
    try:
        parts = list(message.walk())
    except _PARSE_ERRORS:
        return ()
    for part in parts:
        if len(found) >= MAX_IMAGES:
            break
        try:
            if part.get_content_maintype() != "image":
                continue
            data = part.get_payload(decode=True)
            name = part.get_filename()
        except _PARSE_ERRORS:
            continue
        if not isinstance(data, bytes) or not data or len(data) > MAX_IMAGE_BYTES:
            continue
        kind = sniff(data)
        if kind is None or not is_whole(kind, data) or data in seen:
            continue
        seen.add(data)
        found.append(Image(safe_filename(name, kind), kind, data))
    return tuple(found)


# Header objects of the email package parse lazily and can fail on broken mail.
_PARSE_ERRORS = (MessageError, ValueError, TypeError, LookupError, IndexError, AttributeError)


def _header(message: EmailMessage, name: str) -> str:
    try:
        return str(message.get(name) or "")
    except _PARSE_ERRORS:
        return ""


def _one_line(value: str, limit: int) -> str:
    # plain_text, not clean_line: "Jan <jan@example.org>" is text, not a tag to strip.
    return truncate(" ".join(plain_text(value, limit * 2).split()), limit)


def _joined(*parts: str) -> str:
    return "\n\n".join(p for p in parts if p)


def _message_id(message: EmailMessage, raw: bytes) -> str:
    value = " ".join(_header(message, "Message-ID").split())
    if value and len(value) <= MAX_ID_LENGTH:
        return value
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _sender(message: EmailMessage) -> tuple[str, str]:
    """("Name <address>", the address's domain) of the forwarder."""
    try:
        header = message["From"]
        addresses = header.addresses if header is not None else ()
    except _PARSE_ERRORS:
        addresses = ()
    if not addresses:
        return _header(message, "From"), ""
    first = addresses[0]
    shown = f"{first.display_name} <{first.addr_spec}>" if first.display_name else first.addr_spec
    return shown, (first.domain or "").lower()


def _date(message: EmailMessage) -> datetime | None:
    try:
        moment = getattr(message["Date"], "datetime", None)
    except _PARSE_ERRORS:
        return None
    if not isinstance(moment, datetime):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # "-0000": UTC, unknown origin


@dataclass(frozen=True)
class _Body:
    note: str  # the forwarder's own words, signature left out
    forwarded: str  # what was forwarded, or "" when the mail is not a forward
    links: list[str]  # the forwarded part's links first, then the note's


def _read_body(message: EmailMessage, depth: int = 0) -> _Body:
    text, link_text = _body_texts(message)
    note, forwarded = _split(text)
    link_note, link_forwarded = _split(link_text)
    links = _links_in(_without_signature(link_forwarded)) + _links_in(link_note)
    attached = _attached_message(message) if depth < 3 else None
    if attached is None:
        return _Body(note, forwarded, links)
    # Forwarded "as attachment": the attached mail is the forwarded part.
    inner = _read_body(attached, depth + 1)
    heading = "\n".join(
        f"{label}: {_header(attached, label)}"
        for label in ("From", "Date", "Subject")
        if _header(attached, label)
    )
    return _Body(
        note, _joined(heading, inner.note, inner.forwarded, forwarded), inner.links + links
    )


def _attached_message(message: EmailMessage) -> EmailMessage | None:
    try:
        for part in message.iter_attachments():
            if part.get_content_type() == "message/rfc822":
                inner = part.get_payload(0)
                return inner if isinstance(inner, EmailMessage) else None
    except _PARSE_ERRORS:
        return None
    return None


def _body_texts(message: EmailMessage) -> tuple[str, str]:
    """The body as plain text, and as plain text with every link written out (for HTML)."""
    try:
        part = message.get_body(preferencelist=("plain", "html"))
    except (*_PARSE_ERRORS, KeyError):
        part = None
    if part is None:
        return "", ""
    content = _decoded(part)
    if part.get_content_subtype() != "html":
        text = plain_text(content, MAX_TEXT)
        return text, text
    # An HTML mail hides its links in href attributes: write each beside its anchor, so link
    # order and the forward marker line up as a reader sees them.
    spelled = _HREF.sub(lambda m: f"{m.group(0)} {m.group(1)} ", content)
    return html_to_text(content, MAX_TEXT), html_to_text(spelled, MAX_TEXT)


def _decoded(part: MIMEPart) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    label = (part.get_content_charset() or "").strip().lower()
    if label in ("", "us-ascii", "ascii"):
        # Undeclared, or "ASCII" with 8-bit bytes in it: nowadays UTF-8, else Windows-1252.
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            return payload.decode("cp1252", "replace")
    if label in _LATIN1_LABELS:
        # Mailers label Windows-1252 as ISO-8859-1 (euro sign, curly quotes), as browsers know.
        return payload.decode("cp1252", "replace")
    try:
        return payload.decode(label, "replace")
    except LookupError:
        return payload.decode("utf-8", "replace")


def _split(body: str) -> tuple[str, str]:
    """(the note above the forward marker without its signature, the forwarded part)."""
    starts = [m.start() for m in (_FORWARD_MARKER.search(body), _OUTLOOK_HEADER.search(body)) if m]
    if not starts:
        return _without_signature(body), ""
    cut = min(starts)
    return _without_signature(body[:cut]), body[cut:].strip()


def _without_signature(text: str) -> str:
    match = _SIGNATURE.search(text)
    return (text[: match.start()] if match else text).strip()


def _links_in(text: str) -> list[str]:
    return [m.group(0).rstrip(".,;:!?*'\"") for m in _LINK.finditer(text)]


def _pick_link(links: list[str], own_domain: str) -> str | None:
    for link in links:
        url = _unwrapped(link)
        host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
        if not host or len(url) > MAX_URL_LENGTH:
            continue
        if own_domain and (host == own_domain or host.endswith("." + own_domain)):
            continue  # the forwarder's own site: a signature or intranet link, not the post
        if host in _FOOTER_HOSTS:
            continue
        return url
    return None


def _unwrapped(url: str) -> str:
    """The real address inside an Outlook Safe Links or Google redirect link."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    host = (parts.hostname or "").lower()
    query = parse_qs(parts.query)
    inner: list[str] = []
    if host.endswith(".safelinks.protection.outlook.com"):
        inner = query.get("url", [])
    elif host in ("www.google.com", "google.com") and parts.path == "/url":
        inner = query.get("q", []) or query.get("url", [])
    if inner and inner[0].lower().startswith(("http://", "https://")):
        return inner[0]
    return url
