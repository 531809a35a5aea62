"""Logging in: every page but login and health needs a session; failures are throttled."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from tests.webui.conftest import PASSWORD, csrf_token


def test_pages_redirect_to_login_and_health_is_open(app: Flask) -> None:
    client = app.test_client()
    for path in ("/", "/queue/webcare", "/mentions/1", "/sources"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json == {"status": "ok", "database": "ok"}


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(app: Flask) -> None:
    client = app.test_client()
    for name in ("anne", "nobody"):
        response = client.post(
            "/login",
            data={"username": name, "password": "wrong password", "csrf_token": csrf_token(client)},
        )
        assert response.status_code == 401
        assert "Unknown user name or wrong password." in response.get_data(as_text=True)


def test_login_without_a_csrf_token_is_refused(app: Flask) -> None:
    response = app.test_client().post("/login", data={"username": "anne", "password": PASSWORD})
    assert response.status_code == 400


def test_repeated_failures_block_even_the_right_password_for_a_while(app: Flask) -> None:
    client = app.test_client()
    token = csrf_token(client)
    for _ in range(10):
        client.post("/login", data={"username": "vera", "password": "guess", "csrf_token": token})
    blocked = client.post(
        "/login", data={"username": "vera", "password": PASSWORD, "csrf_token": token}
    )
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.get_data(as_text=True)


def test_login_goes_back_to_the_page_asked_for_but_never_off_site(app: Flask) -> None:
    client = app.test_client()
    token = csrf_token(client)
    inside = client.post(
        "/login",
        data={"username": "anne", "password": PASSWORD, "csrf_token": token, "next": "/sources"},
    )
    assert inside.headers["Location"] == "/sources"
    client = app.test_client()
    token = csrf_token(client)
    outside = client.post(
        "/login",
        data={
            "username": "anne",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/",
        },
    )
    assert outside.headers["Location"] == "/"


def test_the_session_cookie_is_http_only_and_logout_ends_it(
    login: Callable[[str], FlaskClient],
) -> None:
    client = login("anne")
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only
    token = csrf_token(client, "/queue/webcare")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/queue/webcare").status_code == 302
