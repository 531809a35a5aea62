"""Employees forward what they find: the linked page is read, the forward becomes a mention in
the right queue (or joins the one collected already), the forwarder is credited, and told when
webcare handled it. Bad input gets a clear answer and stores nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from monitor.alerts.dispatch import Dispatcher
from monitor.classify import ModelProvider
from monitor.config import Settings
from monitor.errors import WebcareError
from monitor.fetch import Fetcher
from monitor.forwarding import Forwarder, tell_forwarders
from monitor.pipeline import Ingestor
from monitor.scheduler import fetch_policy
from monitor.sources.base import Item
from monitor.store import forwards
from monitor.store.db import Database
from monitor.store.events import mention_history
from monitor.store.mentions import change_status
from monitor.store.models import Forward, Mention, Source, User
from monitor.store.users import add_user, get_user
from tests.conftest import FeedServer, SmtpServer

ARTICLE = """<!doctype html><html lang="nl"><head><title>Storing bij Stroomlijn | Dagblad</title>
<meta name="author" content="Els de Vries"></head><body>
<nav><a href="/">Home</a> <a href="/sport">Sport</a> Cookies accepteren</nav>
<article><h1>Storing bij Stroomlijn: klanten al uren zonder stroom</h1>
<p>Ik ben echt woedend. Al sinds vanochtend zit ik zonder stroom en de klantenservice van
Stroomlijn neemt niet op. Dit is de derde keer deze maand, belachelijk slecht.</p>
<p>Buren in de straat melden hetzelfde: geen stroom, geen bericht, geen excuses van
Stroomlijn.</p></article>
<footer>Copyright Dagblad. Alle rechten voorbehouden.</footer></body></html>"""


@pytest.fixture
def settings(settings_for: Callable[..., Settings], smtp_server: SmtpServer) -> Settings:
    return settings_for(
        [{"name": "news", "url": "https://news.example/feed"}],
        fetch={"allow_private_addresses": True},
        mail={"host": "127.0.0.1", "port": smtp_server.port, "security": "none"},
    )


@pytest.fixture
def forwarder(settings: Settings, db: Database) -> Iterator[Forwarder]:
    fetcher = Fetcher(fetch_policy(settings))
    yield Forwarder(settings, db, Ingestor(settings, db, ModelProvider(db)), fetcher)
    fetcher.close()


@pytest.fixture
def rita(db: Database) -> User:
    with db.write() as session:
        user = add_user(session, "rita", role="reporter", password="x" * 12)
        user.email = "rita@stroomlijn.test"
        add_user(session, "sem", role="reporter", password="x" * 12)
    return user


def _send(forwarder: Forwarder, user: User | None, **fields: Any) -> Any:
    values = {"url": None, "text": None, "note": None, "channel": "page"} | fields
    return forwarder.forward(user=user, forwarder=user.name if user else "x", **values)


def _mention(db: Database, mention_id: int) -> Mention:
    with db.read() as session:
        found = session.get(Mention, mention_id)
        assert found is not None
        return found


def test_a_forwarded_link_becomes_a_classified_routed_mention_credited_to_the_forwarder(
    db: Database, forwarder: Forwarder, feed_server: FeedServer, rita: User
) -> None:
    url = feed_server.serve("/nieuws/storing", ARTICLE, content_type="text/html; charset=utf-8")
    sent = _send(forwarder, rita, url=url, note="Klant is erg boos")
    assert (sent.existing, sent.repeated, sent.page_error) == (False, False, None)
    mention = _mention(db, sent.mention_id)
    assert mention.title.startswith("Storing bij Stroomlijn")
    assert "derde keer deze maand" in mention.text
    # The page's menu and footer are not the post.
    assert "Cookies" not in mention.text and "Copyright" not in mention.text
    assert (mention.author, mention.url, mention.source.name) == ("Els de Vries", url, "forwards")
    assert (mention.category, mention.team) == ("complaint", "customer_service")
    with db.read() as session:
        (forward,) = forwards.forwards_of(session, mention.id)
        history = [(e.kind, e.actor, e.data) for e in mention_history(session, mention.id)]
    assert (forward.forwarder, forward.channel, forward.note) == (
        "rita",
        "page",
        "Klant is erg boos",
    )
    logged = {"channel": "page", "existing": False, "note": "Klant is erg boos"}
    assert ("mention.forwarded", "rita", logged) in history


def test_a_forward_of_something_collected_already_joins_that_mention_and_says_so(
    db: Database, settings: Settings, forwarder: Forwarder, feed_server: FeedServer, rita: User
) -> None:
    url = feed_server.serve("/nieuws/storing", ARTICLE, content_type="text/html")
    with db.read() as session:
        news = session.scalar(select(Source.id).where(Source.name == "news"))
    collected = Ingestor(settings, db, ModelProvider(db)).ingest(
        source_id=int(news or 0),
        source_name="news",
        items=[Item("g1", url, "Storing bij Stroomlijn", "Klanten zonder stroom bij Stroomlijn")],
    )
    sent = _send(forwarder, rita, url=url + "?utm_source=whatsapp")
    assert sent.existing and sent.mention_id == collected.mentions[0]
    with db.read() as session:
        assert session.scalar(select(func.count(Mention.id))) == 1


def test_the_same_link_from_two_people_is_one_mention_with_both_credited(
    db: Database, forwarder: Forwarder, feed_server: FeedServer, rita: User
) -> None:
    url = feed_server.serve("/nieuws/storing", ARTICLE, content_type="text/html")
    first = _send(forwarder, rita, url=url)
    with db.read() as session:
        sem = get_user(session, "sem")
    second = _send(forwarder, sem, url=url)
    assert (first.existing, second.existing) == (False, True)
    assert first.mention_id == second.mention_id
    with db.read() as session:
        credited = [f.forwarder for f in forwards.forwards_of(session, first.mention_id)]
    assert credited == ["rita", "sem"]


def test_a_double_click_is_one_forward(db: Database, forwarder: Forwarder, rita: User) -> None:
    text = "Stroomlijn heeft mijn rekening twee keer afgeschreven, waarom?"
    first = _send(forwarder, rita, text=text)
    again = _send(forwarder, rita, text=f"  {text}\n")
    assert (again.repeated, again.forward_id, again.mention_id) == (
        True, first.forward_id, first.mention_id,
    )  # fmt: skip
    with db.read() as session:
        assert session.scalar(select(func.count(Forward.id))) == 1


def test_pasted_text_without_a_link_is_forwarded_as_it_is(
    db: Database, forwarder: Forwarder, rita: User
) -> None:
    sent = _send(forwarder, rita, text="Hoe kan ik bij Stroomlijn mijn termijnbedrag aanpassen?")
    mention = _mention(db, sent.mention_id)
    assert (mention.url, mention.category) == (None, "question")
    assert mention.title == "Hoe kan ik bij Stroomlijn mijn termijnbedrag aanpassen?"


def test_a_forward_no_brand_query_matches_still_reaches_the_queue(
    db: Database, forwarder: Forwarder, rita: User
) -> None:
    # The employee vouches for it: it goes to the first brand rather than being dropped.
    sent = _send(forwarder, rita, text="Mijn buurvrouw zit al twee dagen zonder stroom!")
    assert _mention(db, sent.mention_id).brand == "Stroomlijn Energie"


def test_a_page_that_cannot_be_read_keeps_the_forward_with_its_link_and_says_why(
    db: Database, forwarder: Forwarder, feed_server: FeedServer, rita: User
) -> None:
    gone = feed_server.serve("/weg", "nope", status=404, content_type="text/html")
    pdf = feed_server.serve("/rapport.pdf", b"%PDF-1.7", content_type="application/pdf")
    missing = _send(forwarder, rita, url=gone, text="Stroomlijn klant klaagt op dit forum")
    assert missing.page_error == "the page could not be read: HTTP 404 Not Found"
    assert _mention(db, missing.mention_id).url == gone
    assert "not a web page" in _send(forwarder, rita, url=pdf).page_error
    assert _mention(db, _send(forwarder, rita, url=pdf).mention_id).title == pdf


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "give a link, some text, or both"),
        ({"url": "  ", "text": " \n "}, "give a link, some text, or both"),
        ({"url": "ftp://files.example/a"}, "only http:// and https://"),
        ({"url": "javascript:alert(1)"}, "only http:// and https://"),
        ({"url": "https:///pad"}, "has no site"),
        ({"url": "https://example.org/" + "a" * 2000}, "longer than 2000"),
        ({"text": "x" * 20_001}, "longer than 20,000 characters"),
        ({"text": "x", "note": "n" * 2001}, "note is longer"),
        ({"text": "x", "channel": "fax"}, "unknown way in"),
    ],
)
def test_bad_forwards_are_refused_with_a_clear_reason_and_store_nothing(
    db: Database, forwarder: Forwarder, rita: User, fields: dict[str, str], message: str
) -> None:
    with pytest.raises(WebcareError, match=message):
        _send(forwarder, rita, **fields)
    with db.read() as session:
        assert session.scalar(select(func.count(Mention.id))) == 0


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:9/x", "http://localhost/x", "http://[::1]/", "http://169.254.169.254/"],
)
def test_private_addresses_are_refused_unless_the_config_allows_them(
    db: Database, settings_for: Callable[..., Settings], rita: User, url: str
) -> None:
    settings = settings_for([])
    fetcher = Fetcher(fetch_policy(settings))
    forwarder = Forwarder(settings, db, Ingestor(settings, db, ModelProvider(db)), fetcher)
    with pytest.raises(WebcareError, match="private or local addresses"):
        _send(forwarder, rita, url=url)
    fetcher.close()


def test_the_forwarder_is_mailed_once_when_webcare_resolves_the_mention(
    db: Database, settings: Settings, forwarder: Forwarder, rita: User, smtp_server: SmtpServer
) -> None:
    sent = _send(forwarder, rita, text="Stroomlijn rekent mij dubbel, wat nu?")
    with db.read() as session:
        sem = get_user(session, "sem")
    _send(forwarder, sem, text="Stroomlijn rekent mij dubbel, wat nu?")  # sem has no address
    assert tell_forwarders(settings, db) == "0 told of 0 handled forwards"
    with db.write() as session:
        change_status(session, sent.mention_id, "resolved", None)
    assert tell_forwarders(settings, db) == "1 told of 2 handled forwards"
    assert tell_forwarders(settings, db) == "0 told of 0 handled forwards"
    assert Dispatcher(settings, db, "w1").send_due() == 1
    [mail] = smtp_server.wait_for(1)
    assert mail.recipients == ["rita@stroomlijn.test"]
    assert mail.subject == "Webcare handled what you forwarded"
    assert "Stroomlijn rekent mij dubbel" in mail.text()
    assert "/forwards" in mail.text()


def test_forwards_are_counted_per_person_and_per_queue(
    db: Database, forwarder: Forwarder, rita: User
) -> None:
    _send(forwarder, rita, text="Stroomlijn, waarom is mijn voorschot verhoogd?")
    _send(forwarder, rita, text="Stroomlijn heeft een storing en niemand neemt op, belachelijk")
    with db.read() as session:
        sem = get_user(session, "sem")
    _send(forwarder, sem, text="Stroomlijn, waarom is mijn voorschot verhoogd?")
    with db.read() as session:
        people, teams = forwards.ambassadors(session, since=datetime(2000, 1, 1, tzinfo=UTC))
    assert people == [("rita", 2), ("sem", 1)]
    assert sum(n for _, n in teams) == 3
