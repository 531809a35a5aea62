"""The webcare mailbox: forwarded mails on a real IMAP server (Dovecot) become Items."""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from monitor.classify import ModelProvider
from monitor.config import Settings, settings_from_mapping
from monitor.errors import BlockedAddressError, ConfigError, FetchError
from monitor.fetch import Fetcher, FetchPolicy
from monitor.pipeline import Ingestor
from monitor.scheduler import Collector
from monitor.sources import mailbox
from monitor.sources.base import CollectContext, Collected, SourceRequest
from monitor.sources.feed import read_feed
from monitor.sources.mailbox import MailboxAdapter, mail_to_item
from monitor.store.attachments import attachments_of
from monitor.store.db import Database
from monitor.store.models import Forward, Mention
from monitor.store.users import add_user
from tests.conftest import FeedServer

MAILS = Path(__file__).parent / "fixtures" / "mailbox"
IN_CI = os.environ.get("CI", "").lower() == "true"
PASSWORD = "vertrouwelijk-42"
PASSWORD_ENV = "WEBCARE_TEST_IMAP_PASSWORD"


# --- a real IMAP server ---------------------------------------------------------------------


def _dovecot_binary() -> str | None:
    found = shutil.which("dovecot")
    if found:
        return found
    return next((p for p in ("/usr/sbin/dovecot",) if os.access(p, os.X_OK)), None)


def _require_dovecot() -> str:
    binary = _dovecot_binary()
    if binary is None:
        reason = "Dovecot is not installed (apt-get install dovecot-imapd)"
        if IN_CI:
            pytest.fail(f"{reason}; under CI=true the mailbox tests must run")
        pytest.skip(reason)
    return binary


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Dovecot:
    """Dovecot with its own config, on 127.0.0.1 with free ports; any user, one password.

    Dovecot refuses to run mail processes as root, so under root (CI) the whole server runs
    as nobody, in a folder of its own under the system temp folder that nobody can reach.
    """

    def __init__(self, binary: str, *, tls: bool = False) -> None:
        self.binary = binary
        self.root = Path(tempfile.mkdtemp(prefix="webcare-dovecot-"))
        self.port = _free_port()
        self.tls_port = _free_port() if tls else 0
        self.cert = self.root / "cert.pem"
        root = os.geteuid() == 0
        account = pwd.getpwnam("nobody") if root else pwd.getpwuid(os.getuid())
        self.uid, self.gid = account.pw_uid, account.pw_gid
        self.user, self.group = account.pw_name, grp.getgrgid(account.pw_gid).gr_name
        if tls:
            self._make_certificate()
        (self.root / "dovecot.conf").write_text(self._config(tls))
        if root:
            for path in [self.root, *self.root.rglob("*")]:
                os.chown(path, self.uid, self.gid)
            self.root.chmod(0o755)
        self._stderr = (self.root / "stderr.log").open("wb")
        self.process = subprocess.Popen(
            [binary, "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
            user=self.uid if root else None,
            group=self.gid if root else None,
            extra_groups=[] if root else None,
        )
        self._wait_until_ready()

    def _version(self) -> tuple[int, int]:
        out = subprocess.run(
            [self.binary, "--version"], capture_output=True, text=True, check=True
        ).stdout
        found = re.match(r"(\d+)\.(\d+)", out)
        assert found, f"cannot read the dovecot version from {out!r}"
        return int(found.group(1)), int(found.group(2))

    def _config(self, tls: bool) -> str:
        root, home = self.root, f"{self.root}/home/%{{user}}"
        ssl = "no"
        common = f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
auth_mechanisms = plain login
auth_failure_delay = 0
default_login_user = {self.user}
default_internal_user = {self.user}
default_internal_group = {self.group}
first_valid_uid = {self.uid}
first_valid_gid = {self.gid}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
"""
        if tls:
            ssl = "yes"
        if self._version() >= (2, 4):
            certificate = (
                f"ssl_server_cert_file = {self.cert}\nssl_server_key_file = {root}/key.pem\n"
                if tls
                else ""
            )
            return f"""dovecot_config_version = 2.4.0
dovecot_storage_version = 2.4.0
{common}
ssl = {ssl}
{certificate}
auth_allow_cleartext = yes
mail_driver = maildir
mail_path = ~/Maildir
mail_home = {home}
passdb static {{
  password = {PASSWORD}
}}
userdb static {{
  fields {{
    uid = {self.uid}
    gid = {self.gid}
    home = {home}
  }}
}}
"""
        certificate = f"ssl_cert = <{self.cert}\nssl_key = <{root}/key.pem\n" if tls else ""
        return f"""{common}
ssl = {ssl}
{certificate}
disable_plaintext_auth = no
mail_location = maildir:~/Maildir
passdb {{
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid={self.uid} gid={self.gid} home={root}/home/%u
}}
"""

    def _make_certificate(self) -> None:
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "ec",
                "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", str(self.root / "key.pem"), "-out", str(self.cert),
                "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip

    def log(self) -> str:
        parts = [self.root / "stderr.log", self.root / "dovecot.log"]
        return "\n".join(p.read_text(errors="replace") for p in parts if p.exists())

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited at start:\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as probe:
                    if probe.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"dovecot did not answer within 20s:\n{self.log()}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._stderr.close()
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, folder: str = "INBOX", *, scheme: str = "imap", host: str = "127.0.0.1") -> str:
        port = self.tls_port if scheme == "imaps" else self.port
        return f"{scheme}://{host}:{port}/{folder}"

    def client(self, user: str) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(user, PASSWORD)
        return client

    def deliver(self, user: str, mail: bytes | str, *, folder: str = "INBOX") -> None:
        """Puts a mail into the user's folder over IMAP, as a mail server would."""
        raw = mail.encode() if isinstance(mail, str) else mail
        raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        client = self.client(user)
        try:
            status, said = client.append(folder, None, None, raw)
            assert status == "OK", said
        finally:
            client.logout()

    def flags(self, user: str, folder: str = "INBOX") -> list[str]:
        """The flags of each mail in the folder, in order."""
        client = self.client(user)
        try:
            client.select(folder, readonly=True)
            _, data = client.fetch("1:*", "(FLAGS)")
        finally:
            client.logout()
        return [
            m.group(1).decode() for d in data if isinstance(d, bytes)
            if (m := re.search(rb"FLAGS \(([^)]*)\)", d))
        ]  # fmt: skip


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    server = Dovecot(_require_dovecot())
    yield server
    server.stop()


@pytest.fixture(scope="module")
def tls_dovecot() -> Iterator[Dovecot]:
    binary = _require_dovecot()
    if shutil.which("openssl") is None:
        if IN_CI:
            pytest.fail("openssl is not installed; under CI=true the TLS mailbox tests must run")
        pytest.skip("openssl is not installed (apt-get install openssl)")
    server = Dovecot(binary, tls=True)
    yield server
    server.stop()


@pytest.fixture
def account(dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh, empty mailbox on the shared server, with its password in the environment."""
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    return f"webcare-{uuid.uuid4().hex[:10]}@example.org"


@pytest.fixture
def context() -> Iterator[CollectContext]:
    fetcher = Fetcher(FetchPolicy(connect_timeout=3, read_timeout=5, total_timeout=20))
    yield CollectContext(fetcher=fetcher, read_feed=read_feed)
    fetcher.close()


def mail(name: str) -> bytes:
    return (MAILS / name).read_bytes()


def request(url: str, user: str, **changes: Any) -> SourceRequest:
    base = SourceRequest(
        name="webcare-mail",
        type="imap",
        url=url,
        allow_private_addresses=True,
        # The fixtures link to sites on the internet, which tests never reach; reading linked
        # pages has tests of its own, against a page served here.
        options={"username": user, "password_env": PASSWORD_ENV, "read_links": False},
    )
    return replace(base, **changes)


def check(source: SourceRequest, context: CollectContext) -> Collected:
    """One check as the collector runs it: the etag of the last stored check goes back in."""
    return MailboxAdapter().collect(source, context)


def after(source: SourceRequest, collected: Collected) -> SourceRequest:
    """The request of the next check, once this check's items were stored."""
    return replace(source, etag=collected.etag)


# --- mails become Items ---------------------------------------------------------------------


def test_a_forwarded_mail_with_a_note_and_a_link_becomes_an_item_by_the_forwarder(
    dovecot: Dovecot, account: str, context: CollectContext
) -> None:
    dovecot.deliver(account, mail("forwarded_link.eml"))
    [item] = check(request(dovecot.url(), account), context).items
    assert item.author == "Jan de Vries <jan.devries@stroomlijn.nl>"
    # The forwarded post's link; not the storingen page in the note, not the signature.
    assert item.url == "https://forum.example.net/t/storingen/4211?u=piet"
    assert item.title == "Boze klant op het forum"
    assert item.source_item_id == "<CAF0rward-1@mail.stroomlijn.nl>"
    assert item.published_at == datetime(2024, 5, 7, 7, 15, tzinfo=UTC)
    # The colleague's words are the note; the forwarded post is the text.
    assert item.note.startswith("Kunnen jullie hier vandaag op reageren?")
    assert "Kunnen jullie" not in item.text
    assert "Stroomlijn neemt de telefoon niet op!" in item.text
    assert "Jan de Vries | Stroomlijn Energie" not in item.note + item.text  # no signature


def test_an_html_mail_with_scripts_becomes_clean_text_and_keeps_the_real_link(
    dovecot: Dovecot, account: str, context: CollectContext
) -> None:
    dovecot.deliver(account, mail("html_script.eml"))
    [item] = check(request(dovecot.url(), account), context).items
    assert "Mijn jaarafrekening van Stroomlijn klopt niet" in item.text
    assert "2.300 euro bijbetalen & niemand reageert" in item.text
    for leftover in ("alert", "cookie", "<p", "<b>", "margin", "steal", "tracker"):
        assert leftover not in item.text
    # Outlook's Safe Links wrapper is taken off; the "Outlook for iOS" footer link is skipped.
    assert item.url == "https://www.reddit.com/r/thenetherlands/comments/abc123/"
    assert item.author == "Bakker, Sanne <s.bakker@stroomlijn.nl>"
    assert item.title == "Reddit-post over de jaarafrekening"


def test_a_mail_without_a_link_keeps_its_text(
    dovecot: Dovecot, account: str, context: CollectContext
) -> None:
    dovecot.deliver(account, mail("no_link.eml"))
    [item] = check(request(dovecot.url(), account), context).items
    assert item.url is None
    assert item.title == "vraag van een klant"
    assert "hoe kan ik mijn termijnbedrag bij Stroomlijn verlagen?" in item.text
    assert item.note == "Deze kwam bij de receptie binnen."
    assert "receptie" not in item.text


def test_encoded_subjects_senders_and_latin1_bodies_decode_right(
    dovecot: Dovecot, account: str, context: CollectContext
) -> None:
    dovecot.deliver(account, mail("latin1.eml"))
    [item] = check(request(dovecot.url(), account), context).items
    assert item.title == "Klacht over de factuur én het tarief"
    assert item.author == "Jördis Müller <jordis@stroomlijn.nl>"
    # ISO-8859-1 as mailers mean it (Windows-1252): the euro sign survives.
    assert item.text == (
        "Deze klant belde over het café van haar zus: de voorschotnota is € 50 te hoog, "
        "en «niemand legt het uit»."
    )


def test_a_mail_forwarded_as_attachment_with_a_screenshot_gives_the_inner_mail(
    dovecot: Dovecot, account: str, context: CollectContext
) -> None:
    dovecot.deliver(account, mail("attached_forward.eml"))
    [item] = check(request(dovecot.url(), account), context).items
    assert item.url == "https://x.com/kees_k/status/1789012345678901234"
    assert "weer een storing in Utrecht-Oost" in item.text
    assert item.note == "Doorgestuurd als bijlage, met een screenshot erbij."
    assert "iVBORw0KGgo" not in item.text and "screenshot.png" not in item.text
    # The screenshot is kept as a picture on the item.
    [image] = item.images
    assert (image.filename, image.content_type) == ("screenshot.png", "image/png")
    assert image.data.startswith(b"\x89PNG") and image.data.endswith(b"IEND\xaeB`\x82")


def test_a_mail_without_message_id_is_known_by_a_hash_of_its_bytes(
    dovecot: Dovecot, account: str, context: CollectContext
) -> None:
    raw = b"From: a@example.org\r\nSubject: zonder id\r\n\r\nStroomlijn is traag.\r\n"
    dovecot.deliver(account, raw)
    [item] = check(request(dovecot.url(), account), context).items
    assert item.source_item_id is not None and item.source_item_id.startswith("sha256:")
    assert item.source_item_id == mail_to_item(raw).source_item_id
    assert item.text == "Stroomlijn is traag." and item.published_at is None


def test_a_huge_mail_is_read_in_part_and_never_breaks_the_check(
    dovecot: Dovecot,
    account: str,
    context: CollectContext,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(mailbox, "MAX_MAIL_BYTES", 20_000)
    huge = (
        "From: Jan <jan@stroomlijn.nl>\nSubject: Fwd: groot\nMessage-ID: <huge@x>\n"
        'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"\n\n'
        "--b\nContent-Type: text/plain\n\nKlant klaagt over Stroomlijn, zie de bijlage.\n"
        "--b\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n"
        + ("QUJDRA==" * 9 + "\n") * 2000
        + "--b--\n"
    )
    dovecot.deliver(account, huge)
    dovecot.deliver(account, mail("no_link.eml"))
    collected = check(request(dovecot.url(), account), context)
    assert [i.source_item_id for i in collected.items] == ["<huge@x>", "<no-link-1@stroomlijn.nl>"]
    assert collected.items[0].text == "Klant klaagt over Stroomlijn, zie de bijlage."
    assert "only its first 20000 were read" in caplog.text
    assert collected.bytes_read < 60_000


# --- the pages mailed links point to --------------------------------------------------------

FORUM_PAGE = """<!doctype html><html lang="nl">
<head><title>Al drie dagen geen stroom | Forum</title></head>
<body><nav><a href="/">Forum</a> Inloggen Registreren</nav>
<article><h1>Al drie dagen geen stroom</h1>
<p>Al drie dagen zit ik zonder stroom en Stroomlijn neemt de telefoon niet op. Belachelijk,
niemand laat iets weten en de storingspagina zegt dat alles werkt.</p>
<p>Wie heeft dit ook? Ik ben het echt zat met dit bedrijf.</p></article>
<footer>Forumregels - Privacy</footer></body></html>"""


def linked_mail(link: str, *, forwarded: str = "", message_id: str = "<link-1@x>") -> bytes:
    body = f"Kunnen jullie hier vandaag op reageren?\n\n{link}\n"
    if forwarded:
        body += f"\n---------- Forwarded message ---------\n{forwarded}\n"
    return (
        "From: Jan de Vries <jan.devries@stroomlijn.nl>\nSubject: Fwd: kijk even\n"
        f"Message-ID: {message_id}\nContent-Type: text/plain; charset=utf-8\n\n{body}"
    ).encode()


@pytest.fixture
def open_context() -> Iterator[CollectContext]:
    """A collector allowed to reach this machine, where the test serves the linked pages."""
    fetcher = Fetcher(FetchPolicy(connect_timeout=3, read_timeout=5, total_timeout=20,
                                  allow_private_addresses=True))  # fmt: skip
    yield CollectContext(fetcher=fetcher, read_feed=read_feed)
    fetcher.close()


def reading(url: str, user: str) -> SourceRequest:
    return request(url, user, options={"username": user, "password_env": PASSWORD_ENV})


def test_a_mailed_link_is_read_and_the_page_becomes_the_item_with_the_mail_as_note(
    dovecot: Dovecot, account: str, open_context: CollectContext, feed_server: FeedServer
) -> None:
    link = feed_server.serve("/t/4211", FORUM_PAGE, content_type="text/html; charset=utf-8")
    dovecot.deliver(account, linked_mail(link))
    [item] = check(reading(dovecot.url(), account), open_context).items
    assert item.url == link
    assert item.title.startswith("Al drie dagen geen stroom")
    assert "Stroomlijn neemt de telefoon niet op" in item.text
    for chrome in ("Inloggen", "Forumregels", "Kunnen jullie"):
        assert chrome not in item.text
    assert item.note == "Kunnen jullie hier vandaag op reageren?\n\n" + link
    assert item.author == "Jan de Vries <jan.devries@stroomlijn.nl>"  # the forwarder
    assert feed_server.routes["/t/4211"].hits == 1


def test_two_mails_with_the_same_link_read_the_page_once(
    dovecot: Dovecot, account: str, open_context: CollectContext, feed_server: FeedServer
) -> None:
    link = feed_server.serve("/t/4211", FORUM_PAGE, content_type="text/html")
    dovecot.deliver(account, linked_mail(link, message_id="<a@x>"))
    dovecot.deliver(account, linked_mail(link, message_id="<b@x>"))
    first, second = check(reading(dovecot.url(), account), open_context).items
    assert feed_server.routes["/t/4211"].hits == 1
    assert first.title == second.title and first.title.startswith("Al drie dagen geen stroom")


def test_what_a_mail_forwards_stays_the_text_and_the_page_gives_the_title(
    dovecot: Dovecot, account: str, open_context: CollectContext, feed_server: FeedServer
) -> None:
    link = feed_server.serve("/t/4211", FORUM_PAGE, content_type="text/html")
    quoted = "Piet schreef: Stroomlijn reageert nergens op."
    dovecot.deliver(account, linked_mail(link, forwarded=quoted))
    [item] = check(reading(dovecot.url(), account), open_context).items
    assert item.title.startswith("Al drie dagen geen stroom")
    assert quoted in item.text and "drie dagen zit ik" not in item.text


@pytest.mark.parametrize(
    ("path", "status", "content_type"),
    [("/weg", 404, "text/html"), ("/leeg", 200, "text/html"), ("/pdf", 200, "application/pdf")],
)
def test_a_link_that_cannot_be_read_leaves_the_mail_as_it_came(
    dovecot: Dovecot,
    account: str,
    open_context: CollectContext,
    feed_server: FeedServer,
    path: str,
    status: int,
    content_type: str,
) -> None:
    link = feed_server.serve(path, "<html><body></body></html>", status=status,
                             content_type=content_type)  # fmt: skip
    dovecot.deliver(account, linked_mail(link))
    [item] = check(reading(dovecot.url(), account), open_context).items
    assert item.url == link and item.title == "kijk even"
    assert item.text == item.note == "Kunnen jullie hier vandaag op reageren?\n\n" + link


def test_a_mailed_link_to_a_private_address_is_not_fetched(
    dovecot: Dovecot, account: str, context: CollectContext, feed_server: FeedServer
) -> None:
    # The mailbox itself may be on the private network; the pages it links to may not.
    link = feed_server.serve("/intern", FORUM_PAGE, content_type="text/html")
    dovecot.deliver(account, linked_mail(link))
    [item] = check(reading(dovecot.url(), account), context).items
    assert feed_server.routes["/intern"].hits == 0
    assert item.title == "kijk even" and item.url == link


def test_read_links_false_leaves_linked_pages_alone(
    dovecot: Dovecot, account: str, open_context: CollectContext, feed_server: FeedServer
) -> None:
    link = feed_server.serve("/t/4211", FORUM_PAGE, content_type="text/html")
    dovecot.deliver(account, linked_mail(link))
    [item] = check(request(dovecot.url(), account), open_context).items
    assert feed_server.routes["/t/4211"].hits == 0 and item.title == "kijk even"


# --- each mail once, none lost ----------------------------------------------------------------


def test_processed_mail_is_not_collected_twice_and_stays_unread_for_people(
    dovecot: Dovecot, account: str, context: CollectContext
) -> None:
    dovecot.deliver(account, mail("forwarded_link.eml"))
    dovecot.deliver(account, mail("no_link.eml"))
    source = request(dovecot.url(), account)
    first = check(source, context)
    assert len(first.items) == 2
    second = check(after(source, first), context)
    assert second.items == [] and second.etag is None
    assert check(after(source, second), context).items == []
    for flags in dovecot.flags(account):
        assert "$WebcareProcessed" in flags and "\\Seen" not in flags


def test_a_check_whose_items_were_not_stored_reads_the_same_mails_again(
    dovecot: Dovecot, account: str, context: CollectContext
) -> None:
    """At least once: the collector keeps the etag only when the items were stored."""
    dovecot.deliver(account, mail("forwarded_link.eml"))
    source = request(dovecot.url(), account)
    first = check(source, context)
    again = check(source, context)  # the first check's items never reached the database
    assert [i.source_item_id for i in again.items] == [i.source_item_id for i in first.items]
    assert dovecot.flags(account) == [""]
    assert check(after(source, again), context).items == []
    assert dovecot.flags(account) == ["$WebcareProcessed"]


def test_a_mail_that_arrived_during_processing_is_collected_next_time(
    dovecot: Dovecot, account: str, context: CollectContext
) -> None:
    dovecot.deliver(account, mail("forwarded_link.eml"))
    source = request(dovecot.url(), account)
    first = check(source, context)
    # Arrives after the first check's search, while its items are still being stored.
    dovecot.deliver(account, mail("latin1.eml"))
    second = check(after(source, first), context)
    assert [i.source_item_id for i in second.items] == ["<latin1-1@stroomlijn.nl>"]
    assert dovecot.flags(account) == ["$WebcareProcessed", ""]
    assert check(after(source, second), context).items == []


def test_a_full_mailbox_is_read_a_batch_per_check_oldest_first(
    dovecot: Dovecot,
    account: str,
    context: CollectContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(mailbox, "MAX_MAILS_PER_CHECK", 2)
    for n in range(5):
        dovecot.deliver(account, f"Message-ID: <m{n}@x>\nSubject: {n}\n\nmail {n}\n")
    source, seen = request(dovecot.url(), account), []
    for _ in range(4):
        collected = check(source, context)
        seen.append([i.title for i in collected.items])
        source = after(source, collected)
    assert seen == [["0", "1"], ["2", "3"], ["4"], []]


def test_mails_in_a_named_folder_with_a_non_ascii_name_are_read(
    dovecot: Dovecot, account: str, context: CollectContext
) -> None:
    client = dovecot.client(account)
    client.create('"Doorgestuurd &AOk-n meer"')  # "Doorgestuurd én meer" in modified UTF-7
    client.logout()
    dovecot.deliver(account, mail("no_link.eml"), folder='"Doorgestuurd &AOk-n meer"')
    url = dovecot.url("Doorgestuurd%20%C3%A9n%20meer")
    assert len(check(request(url, account), context).items) == 1


# --- failures are clear FetchErrors -----------------------------------------------------------


def test_a_wrong_password_is_a_fetch_error_that_says_what_to_check(
    dovecot: Dovecot, account: str, context: CollectContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "not-the-password")
    with pytest.raises(FetchError) as caught:
        check(request(dovecot.url(), account), context)
    message = str(caught.value)
    assert f"login as '{account}' at 127.0.0.1 failed" in message
    assert "Authentication failed" in message
    assert f"${PASSWORD_ENV}" in message and "not-the-password" not in message


def test_a_missing_password_variable_is_a_fetch_error_that_names_it(
    dovecot: Dovecot, account: str, context: CollectContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PASSWORD_ENV)
    with pytest.raises(FetchError, match=f"environment variable {PASSWORD_ENV} .* not set"):
        check(request(dovecot.url(), account), context)


def test_a_missing_folder_is_a_fetch_error(
    dovecot: Dovecot, account: str, context: CollectContext
) -> None:
    with pytest.raises(FetchError, match="cannot open the folder 'Nergens'"):
        check(request(dovecot.url("Nergens"), account), context)


def test_an_unreachable_host_is_a_fetch_error(
    context: CollectContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    closed = f"imap://127.0.0.1:{_free_port()}/INBOX"
    with pytest.raises(FetchError, match=r"cannot connect to 127\.0\.0\.1 port"):
        check(request(closed, "someone"), context)
    with pytest.raises(FetchError, match=r"cannot resolve host 'imap\.invalid'"):
        check(request("imaps://imap.invalid/INBOX", "someone"), context)


def test_a_private_address_is_refused_without_the_allow_flag(
    dovecot: Dovecot, account: str, context: CollectContext
) -> None:
    dovecot.deliver(account, mail("no_link.eml"))
    source = request(dovecot.url(), account, allow_private_addresses=None)
    with pytest.raises(BlockedAddressError, match=r"refused to connect to 127.0.0.1"):
        check(source, context)
    with pytest.raises(BlockedAddressError):
        check(replace(source, allow_private_addresses=False), context)
    allowing = CollectContext(
        fetcher=Fetcher(FetchPolicy(allow_private_addresses=True)), read_feed=read_feed
    )
    try:  # the fetch policy's allowance counts when the source says nothing
        assert len(check(source, allowing).items) == 1
    finally:
        allowing.fetcher.close()
    assert dovecot.flags(account) == [""]  # the refused checks never logged in


def test_imaps_to_a_server_that_speaks_plain_imap_is_a_clear_fetch_error(
    dovecot: Dovecot, account: str, context: CollectContext
) -> None:
    plain_port_as_imaps = f"imaps://127.0.0.1:{dovecot.port}/INBOX"
    with pytest.raises(FetchError, match=r"TLS with 127\.0\.0\.1 port \d+ failed"):
        check(request(plain_port_as_imaps, account), context)


# --- TLS ------------------------------------------------------------------------------------


@pytest.fixture
def trusted(tls_dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch) -> str:
    """Trust the test server's self-signed certificate, as a company CA would be trusted."""
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_dovecot.cert))
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    return f"tls-{uuid.uuid4().hex[:10]}@example.org"


def test_imaps_reads_the_mailbox_over_tls(
    tls_dovecot: Dovecot, trusted: str, context: CollectContext
) -> None:
    tls_dovecot.deliver(trusted, mail("no_link.eml"))
    url = tls_dovecot.url(scheme="imaps", host="localhost")
    assert len(check(request(url, trusted), context).items) == 1
    assert re.search(rf"Login: user=<{re.escape(trusted)}>.*TLS", tls_dovecot.log())


def test_imap_upgrades_with_starttls_when_the_server_offers_it(
    tls_dovecot: Dovecot, trusted: str, context: CollectContext
) -> None:
    tls_dovecot.deliver(trusted, mail("no_link.eml"))
    assert len(check(request(tls_dovecot.url(host="localhost"), trusted), context).items) == 1
    logins = re.findall(rf"Login: user=<{re.escape(trusted)}>.*", tls_dovecot.log())
    # deliver() logs in plain first; the adapter's own login, the last one, went over TLS.
    assert len(logins) == 2 and "TLS" not in logins[0] and "TLS" in logins[1]


def test_an_untrusted_certificate_is_refused(
    tls_dovecot: Dovecot, context: CollectContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    url = tls_dovecot.url(scheme="imaps", host="localhost")
    with pytest.raises(FetchError, match=r"TLS certificate of localhost port \d+ is not valid"):
        check(request(url, "someone@example.org"), context)


# --- configuration --------------------------------------------------------------------------


def _config(**source: Any) -> Settings:
    entry = {
        "name": "webcare-mail",
        "type": "imap",
        "url": "imaps://imap.example.org/INBOX",
        "username": "webcare@example.org",
        "password_env": "WEBCARE_IMAP_PASSWORD",
        **source,
    }
    entry = {k: v for k, v in entry.items() if v is not None}
    return settings_from_mapping({"sources": [entry]}, origin="webcare.toml")


def test_a_complete_mailbox_config_is_accepted() -> None:
    source = _config().sources[0]
    assert source.options == {
        "username": "webcare@example.org",
        "password_env": "WEBCARE_IMAP_PASSWORD",
        "read_links": True,  # linked pages are read unless the config says no
    }
    assert _config(url="imap://10.0.0.5:1143/Webcare/Doorgestuurd").sources[0].url
    assert _config(read_links=False).sources[0].options["read_links"] is False


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"url": "https://mail.example.org/"},
            "sources[0].url: expected an imaps:// or imap:// URL such as "
            "imaps://imap.example.org/INBOX, got 'https://mail.example.org/'",
        ),
        ({"url": None}, "sources[0].url: required for sources of type 'imap'"),
        (
            {"url": "imaps://webcare:geheim@imap.example.org/"},
            "sources[0].url: put no user name or password in the url",
        ),
        ({"url": "imaps://imap.example.org:99999/"}, "sources[0].url: the port in"),
        ({"username": None}, "sources[0].username: required for imap sources"),
        ({"password_env": None}, "sources[0].password_env: required for imap sources"),
        ({"password_env": "geheim wachtwoord"}, "sources[0].password_env: "),
    ],
)
def test_config_mistakes_are_one_clear_message_with_their_key(
    change: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        _config(**change)
    assert str(caught.value).startswith(f"webcare.toml: {message}")


def test_read_links_belongs_to_mailboxes_only() -> None:
    entry = {"name": "feed", "url": "https://example.org/feed", "read_links": False}
    with pytest.raises(ConfigError, match=r"sources\[0\].read_links: only imap sources"):
        settings_from_mapping({"sources": [entry]}, origin="webcare.toml")


def test_the_password_itself_is_no_config_key() -> None:
    with pytest.raises(ConfigError, match=r"sources\[0\].password: unknown key"):
        _config(password="geheim")


# --- small rules, no server needed ---------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "title"),
    [
        ("Fwd: Storing", "Storing"),
        ("FW: Doorst: Tr: storing", "storing"),
        ("fwd[2]: WG: Re: vraag", "Re: vraag"),
        ("Forwarding address", "Forwarding address"),
    ],
)
def test_forward_prefixes_leave_the_subject(subject: str, title: str) -> None:
    raw = f"From: a@example.org\nSubject: {subject}\n\nx\n".encode()
    assert mail_to_item(raw).title == title


def test_links_to_the_forwarders_own_site_and_mailto_are_not_the_post() -> None:
    raw = (
        b"From: Jan <jan@stroomlijn.nl>\nSubject: kijk\n\n"
        b"Zie https://stroomlijn.nl/klantenservice en mailto:klant@example.com, en\n"
        b"https://www.google.com/url?q=https://nieuws.example.com/artikel/9&sa=D\n"
    )
    assert mail_to_item(raw).url == "https://nieuws.example.com/artikel/9"


def test_keywords_mark_processed_mail_where_the_folder_allows_them_else_seen() -> None:
    assert mailbox._marker("(\\Answered \\Seen \\*)") == "$WebcareProcessed"
    assert mailbox._marker("(\\Seen $WebcareProcessed)") == "$WebcareProcessed"
    assert mailbox._marker("(\\Answered \\Seen)") == "\\Seen"
    assert mailbox._marker("") == "\\Seen"


# --- end to end -----------------------------------------------------------------------------


def test_a_forwarded_mail_becomes_a_mention_through_the_collector(
    db: Database,
    settings_for: Callable[..., Settings],
    dovecot: Dovecot,
    account: str,
) -> None:
    settings = settings_for(
        [
            {
                "name": "webcare-mail",
                "type": "imap",
                "url": dovecot.url(),
                "username": account,
                "password_env": PASSWORD_ENV,
                "allow_private_addresses": True,
                "read_links": False,
                "query": "*",
            }
        ]
    )
    with db.write() as session:
        jan = add_user(session, "jan", role="reporter", password="x" * 12)
        jan.email = "Jan.deVries@stroomlijn.nl"
    collector = Collector(settings, db, Ingestor(settings, db, ModelProvider(db)))
    try:
        dovecot.deliver(account, mail("forwarded_link.eml"))
        [first] = collector.collect_once()
        assert first.ok and first.report.new == 1, first.error
        dovecot.deliver(account, mail("latin1.eml"))
        [second] = collector.collect_once()
        assert second.ok and second.report.new == 1 and second.report.duplicates == 0
        [third] = collector.collect_once()
        assert third.ok and third.report.received == 0
        # A colleague forwards the same forum post, with a screenshot of it.
        same_post = (
            mail("forwarded_link.eml")
            .replace(b"From: Jan de Vries <jan.devries", b"From: Anouk <anouk")
            .replace(b"<CAF0rward-1@", b"<CAF0rward-2@")
        )
        dovecot.deliver(account, same_post)
        [fourth] = collector.collect_once()
        assert fourth.ok and fourth.report.received == 1 and fourth.report.new == 0
        dovecot.deliver(account, mail("attached_forward.eml"))
        [fifth] = collector.collect_once()
        assert fifth.ok and fifth.report.new == 1, fifth.error
    finally:
        collector.close()
    with db.read() as session:
        mentions = {m.source_item_id: m for m in session.scalars(select(Mention))}
    forwarded = mentions["<CAF0rward-1@mail.stroomlijn.nl>"]
    assert forwarded.url == "https://forum.example.net/t/storingen/4211?u=piet"
    assert forwarded.author == "Jan de Vries <jan.devries@stroomlijn.nl>"
    # An angry customer, forwarded by a colleague: a complaint, in customer service's queue.
    assert (forwarded.category, forwarded.team) == ("complaint", "customer_service")
    assert len(mentions) == 3 and "<latin1-1@stroomlijn.nl>" in mentions
    # The last mail is marked at the next check, once its items are known to be stored.
    assert dovecot.flags(account) == ["$WebcareProcessed"] * 3 + [""]
    # The senders are credited: a colleague with an account by name, others by address.
    with db.read() as session:
        credited = {(f.mention.source_item_id, f.forwarder, f.channel, f.existing)
                    for f in session.scalars(select(Forward))}  # fmt: skip
    [attached] = [m for m in mentions.values() if m.url and "x.com" in m.url]
    assert credited == {
        ("<CAF0rward-1@mail.stroomlijn.nl>", "jan", "mail", False),
        ("<latin1-1@stroomlijn.nl>", "jordis@stroomlijn.nl", "mail", False),
        # The second mail joined the first's mention, and says so.
        ("<CAF0rward-1@mail.stroomlijn.nl>", "anouk@stroomlijn.nl", "mail", True),
        ("<attached-1@stroomlijn.nl>", "jan", "mail", False),
    }
    # The screenshot in the mail forwarded as attachment is kept with its mention.
    with db.read() as session:
        [picture] = attachments_of(session, attached.id)
    assert (picture.filename, picture.content_type) == ("screenshot.png", "image/png")


def test_a_mailed_link_becomes_the_post_it_points_to_with_the_note_on_the_forward(
    db: Database,
    settings_for: Callable[..., Settings],
    dovecot: Dovecot,
    account: str,
    feed_server: FeedServer,
) -> None:
    source = {"name": "webcare-mail", "type": "imap", "url": dovecot.url(), "username": account,
              "password_env": PASSWORD_ENV}  # fmt: skip
    settings = settings_for([source], fetch={"allow_private_addresses": True})
    link = feed_server.serve("/t/4211", FORUM_PAGE, content_type="text/html")
    collector = Collector(settings, db, Ingestor(settings, db, ModelProvider(db)))
    try:
        dovecot.deliver(account, linked_mail(link))
        [outcome] = collector.collect_once()
        assert outcome.ok and outcome.report.new == 1, outcome.error
    finally:
        collector.close()
    with db.read() as session:
        [mention] = session.scalars(select(Mention))
        [forward] = session.scalars(select(Forward))
        assert mention.title.startswith("Al drie dagen geen stroom")
        assert "Kunnen jullie" not in mention.text
        # The customer's post is classified, not the colleague's question about it.
        assert (mention.category, mention.team) == ("complaint", "customer_service")
        assert forward.mention_id == mention.id and forward.forwarder == "jan.devries@stroomlijn.nl"
        assert forward.note == "Kunnen jullie hier vandaag op reageren?\n\n" + link
