"""Each person chooses the time zone their pages show times in."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

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
