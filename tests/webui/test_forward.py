"""Every employee forwards what they find, from the forward page (also what the bookmarklet and
the share sheet open) or the API; they see what became of it under "My forwards", and webcare
sees who forwarded it."""

from __future__ import annotations

import html
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from monitor.config import Settings
from monitor.forwarding import tell_forwarders
from monitor.sources.base import Image
from monitor.store.attachments import add_attachments
from monitor.store.db import Database
from monitor.store.mentions import change_status
from monitor.store.models import Forward, Mention, utcnow
from tests.conftest import FeedServer
from tests.monitor.test_images import png
from tests.webui.conftest import csrf_token
from tests.webui.test_api import _token

ARTICLE = """<html><head><title>Stroomlijn laat klanten in de kou</title></head><body>
<nav>Home Sport Cookies</nav><article><h1>Stroomlijn laat klanten in de kou</h1>
<p>Al drie dagen zitten honderden klanten van Stroomlijn zonder verwarming. De klantenservice
neemt niet op en klanten zijn woedend over het slechte contact.</p></article></body></html>"""


@pytest.fixture
def settings(settings_for: Callable[..., Settings]) -> Settings:
    # The test's web server is on 127.0.0.1: the forward page may fetch from it.
    return settings_for(
        [{"name": "social", "url": "https://social.example/feed"}],
        fetch={"allow_private_addresses": True},
    )


def _forward(client: FlaskClient, **fields: str) -> tuple[int, str, str]:
    data = {"csrf_token": csrf_token(client, "/forward"), **fields}
    response = client.post("/forward", data=data, follow_redirects=True)
    return response.status_code, response.request.path, response.get_data(as_text=True)


def test_a_reporters_home_is_the_forward_page_with_its_bookmarklet(
    login: Callable[[str], FlaskClient],
) -> None:
    rita = login("rita")
    home = rita.get("/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/forward")
    page = html.unescape(rita.get("/forward").get_data(as_text=True))
    assert "Send to webcare" in page and 'id="bookmarklet"' in page
    assert "javascript:(function(){" in page and "/forward'+'?via=bookmarklet" in page
    assert "My forwards" in page


def test_a_forwarded_link_is_read_routed_and_followed_on_my_forwards(
    login: Callable[[str], FlaskClient], db: Database, feed_server: FeedServer
) -> None:
    url = feed_server.serve("/nieuws/kou", ARTICLE, content_type="text/html")
    rita = login("rita")
    status, path, page = _forward(rita, url=url, note="Klant is erg boos")
    assert (status, path) == (200, "/forwards")
    assert "Thank you! Webcare has it now." in page
    assert "Stroomlijn laat klanten in de kou" in page and "Your note: Klant is erg boos" in page
    assert "waiting for webcare" in page
    with db.read() as session:
        mention = session.scalar(select(Mention).where(Mention.url == url))
        assert mention is not None
        assert (mention.category, mention.team) == ("complaint", "customer_service")
        assert "zonder verwarming" in mention.text and "Cookies" not in mention.text
    # The agent sees who forwarded it and why.
    shown = login("admin").get(f"/mentions/{mention.id}").get_data(as_text=True)
    assert "Forwarded by" in shown and "rita" in shown and "Klant is erg boos" in shown


def test_forwarding_what_webcare_has_already_says_so(
    login: Callable[[str], FlaskClient], db: Database
) -> None:
    with db.read() as session:
        known = session.scalar(select(Mention).where(Mention.source_item_id == "q1"))
        assert known is not None
    status, _, page = _forward(login("rita"), url=known.url or "")
    assert status == 200
    assert "Webcare has this one already; your forward is added to it." in page
    with db.read() as session:
        (forward,) = session.scalars(select(Forward))
    assert (forward.mention_id, forward.existing) == (known.id, True)


def test_the_bookmarklet_window_is_prefilled_and_thanks_without_leaving(
    login: Callable[[str], FlaskClient],
) -> None:
    rita = login("rita")
    opened = rita.get("/forward?via=bookmarklet&url=&title=Forum&text=Stroomlijn+is+traag")
    page = opened.get_data(as_text=True)
    assert 'class="popup"' in page and 'value="bookmarklet"' in page
    assert "Stroomlijn is traag</textarea>" in page and "<strong>Forum</strong>" in page
    status, path, done = _forward(rita, text="Stroomlijn is traag", via="bookmarklet")
    assert (status, path) == (200, "/forward")
    assert "Thank you! Webcare has it now." in done and "data-close-window" in done


def test_a_shared_link_that_arrives_as_text_is_taken_as_the_link(
    login: Callable[[str], FlaskClient],
) -> None:
    page = login("rita").get("/forward?text=https://social.example/p/9").get_data(as_text=True)
    assert 'value="https://social.example/p/9"' in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "Not forwarded: give a link, some text, or both."),
        ({"url": "javascript:alert(1)"}, "only http:// and https:// links can be forwarded"),
        ({"text": "x" * 20_001}, "longer than 20,000 characters"),
    ],
)
def test_bad_forwards_get_a_clear_answer_and_the_form_back(
    login: Callable[[str], FlaskClient], db: Database, fields: dict[str, str], message: str
) -> None:
    status, path, page = _forward(login("rita"), note="bewaar mij", **fields)
    assert (status, path) == (400, "/forward")
    assert message in page
    assert "bewaar mij</textarea>" in page  # what they typed is still there
    with db.read() as session:
        assert session.scalar(select(Forward.id)) is None


def test_the_api_forwards_for_every_role_and_answers_with_the_mention(
    app: Flask, db: Database
) -> None:
    client, rita = app.test_client(), _token(db, "rita")
    text = "Stroomlijn, waarom is mijn voorschot ineens verdubbeld?"
    created = client.post("/api/v1/forward", json={"text": text, "note": "via Teams"},
                          headers=rita)  # fmt: skip
    assert created.status_code == 201, created.json
    assert created.json["text"] == text and created.json["status"] == "new"
    assert (created.json["existing"], created.json["forward"]["repeated"]) == (False, False)
    again = client.post("/api/v1/forward", json={"text": text, "note": "via Teams"}, headers=rita)
    assert again.status_code == 200 and again.json["forward"]["repeated"] is True
    assert again.json["id"] == created.json["id"]
    other = client.post("/api/v1/forward", json={"text": text}, headers=_token(db, "anne"))
    assert other.status_code == 200 and other.json["existing"] is True
    # Reading the queues stays closed to a reporter.
    assert client.get("/api/v1/mentions", headers=rita).status_code == 403


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "give a link, some text, or both"),
        ({"url": 5}, "url must be a string"),
        ({"text": "x", "link": "y"}, "unknown field 'link'"),
        ({"url": "ftp://x.example/"}, "only http:// and https://"),
        ("not an object", "expected a JSON body"),
    ],
)
def test_the_api_refuses_bad_forwards_in_json(
    app: Flask, db: Database, body: object, message: str
) -> None:
    response = app.test_client().post("/api/v1/forward", json=body, headers=_token(db, "rita"))
    assert response.status_code == 400 and message in response.json["error"]


def test_forwards_are_rate_limited_per_person(app: Flask, db: Database) -> None:
    app.config["FORWARDS_PER_MINUTE"] = 2
    client, rita, anne = app.test_client(), _token(db, "rita"), _token(db, "anne")
    for n in range(2):
        sent = client.post("/api/v1/forward", json={"text": f"Stroomlijn {n}"}, headers=rita)
        assert sent.status_code == 201
    refused = client.post("/api/v1/forward", json={"text": "Stroomlijn 3"}, headers=rita)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "try again in" in refused.json["error"]
    # Someone else is not held back by rita's forwards.
    assert client.post("/api/v1/forward", json={"text": "x"}, headers=anne).status_code == 201


def test_my_forwards_says_handled_once_webcare_resolved_it(
    login: Callable[[str], FlaskClient], db: Database, settings: Settings
) -> None:
    rita = login("rita")
    _forward(rita, text="Stroomlijn stuurt mij elke dag drie dezelfde mails")
    with db.write() as session:
        (forward,) = session.scalars(select(Forward))
        change_status(session, forward.mention_id, "resolved", None)
    tell_forwarders(settings, db)
    page = rita.get("/forwards").get_data(as_text=True)
    assert "handled" in page and "waiting for webcare" not in page
    with db.read() as session:
        assert session.scalars(select(Forward.notified_at)).one() is not None


def test_pictures_are_served_only_as_pictures_and_only_to_the_queue(
    app: Flask, login: Callable[[str], FlaskClient], db: Database
) -> None:
    with db.write() as session:
        mention_id = session.scalar(select(Mention.id).where(Mention.source_item_id == "c1"))
        assert mention_id is not None
        add_attachments(session, [(mention_id, Image("shot.png", "image/png", png()))], utcnow())
    admin = login("admin")
    page = admin.get(f"/mentions/{mention_id}").get_data(as_text=True)
    path = f"/mentions/{mention_id}/attachments/"
    assert path in page
    attachment_id = int(page.split(path, 1)[1].split('"', 1)[0])
    picture = admin.get(f"{path}{attachment_id}")
    assert picture.status_code == 200 and picture.data == png()
    assert picture.headers["Content-Type"] == "image/png"
    assert picture.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in picture.headers["Content-Security-Policy"]
    elsewhere = f"/mentions/{mention_id + 1000}/attachments/{attachment_id}"
    assert admin.get(elsewhere).status_code == 404
    assert login("rita").get(f"{path}{attachment_id}").status_code == 403


def test_the_app_can_be_installed_and_offered_in_the_share_sheet(app: Flask) -> None:
    manifest = app.test_client().get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    assert manifest.json["share_target"]["action"] == "/forward"
    assert set(manifest.json["share_target"]["params"]) == {"title", "text", "url"}


def test_the_dashboard_names_the_ambassadors(
    login: Callable[[str], FlaskClient],
) -> None:
    rita = login("rita")
    _forward(rita, text="Stroomlijn reageert nooit op mijn mails")
    _forward(rita, text="Stroomlijn heeft een nieuwe app, handig!")
    page = login("admin").get("/dashboard").get_data(as_text=True)
    assert "Ambassadors" in page and "Forwards per person" in page
    assert "rita" in page
