"""Each person chooses the time zone their pages show times in."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from monitor.store.db import Database
from monitor.store.models import Event, User
from tests.webui.conftest import csrf_token


def _deadline_box(client: FlaskClient) -> str:
    items = client.get("/api/v1/mentions?team=spokesperson").json["items"]
    page = client.get(f"/mentions/{items[0]['id']}").get_data(as_text=True)
    start = page.index('class="deadline-box')
    return page[start : page.index("</p>", start)]


def test_a_chosen_zone_shows_times_in_it_and_only_for_that_person(
    login: Callable[[str], FlaskClient],
) -> None:
    piet, admin = login("piet"), login("admin")
    # "voor 16.00 uur" means 16:00 in Amsterdam, the organisation's zone.
    assert " 16:00</strong>" in _deadline_box(piet)
    token = csrf_token(piet, "/account")
    saved = piet.post("/account", data={"csrf_token": token, "timezone": "America/New_York"},
                      follow_redirects=True)  # fmt: skip
    assert "Times are now shown in America/New_York." in saved.get_data(as_text=True)
    assert " 10:00</strong>" in _deadline_box(piet)
    assert " 16:00</strong>" in _deadline_box(admin)
    back = piet.post("/account", data={"csrf_token": token, "timezone": ""},
                     follow_redirects=True)  # fmt: skip
    assert "the organisation&#39;s (Europe/Amsterdam)" in back.get_data(as_text=True)
    assert " 16:00</strong>" in _deadline_box(piet)


def test_unknown_zones_are_refused_and_everyone_has_the_page(
    app: Flask, login: Callable[[str], FlaskClient]
) -> None:
    rita = login("rita")  # a reporter may not see the queues, but has settings
    assert rita.get("/account").status_code == 200
    token = csrf_token(rita, "/account")
    wrong = rita.post("/account", data={"csrf_token": token, "timezone": "Mars/Olympus"})
    assert wrong.status_code == 400 and "Unknown time zone" in wrong.get_data(as_text=True)
    assert app.test_client().get("/account").status_code == 302


def test_an_agent_says_they_are_away_and_back_and_the_admin_sees_it(
    login: Callable[[str], FlaskClient], db: Database
) -> None:
    anne = login("anne")
    token = csrf_token(anne, "/account")
    assert "I'm away" in anne.get("/account").get_data(as_text=True)
    away = anne.post("/account/away", data={"csrf_token": token, "away": "1",
                                            "back": "/queue/webcare"})  # fmt: skip
    assert away.status_code == 302 and away.headers["Location"].endswith("/queue/webcare")
    page = anne.get("/queue/webcare").get_data(as_text=True)
    assert "nothing new is assigned to you until you are back" in page
    assert 'class="away-flag"' in page  # a reminder on every page
    assert "away since" in login("admin").get("/admin/users").get_data(as_text=True)
    with db.read() as session:
        assert session.scalar(select(User.away_since).where(User.name == "anne")) is not None
    # Back, from the reminder; a "back" address elsewhere is not followed.
    back = anne.post("/account/away", data={"csrf_token": token, "away": "0",
                                            "back": "/\\evil.example/"})  # fmt: skip
    assert back.headers["Location"].endswith("/account")
    assert 'class="away-flag"' not in anne.get("/account").get_data(as_text=True)
    with db.read() as session:
        assert session.scalar(select(User.away_since).where(User.name == "anne")) is None
        kinds = list(session.scalars(select(Event.kind).where(Event.actor == "anne")))
    assert kinds[-2:] == ["user.away", "user.back"]
    # Viewers and reporters are on no rota: the page does not offer it.
    assert "I'm away" not in login("vera").get("/account").get_data(as_text=True)
