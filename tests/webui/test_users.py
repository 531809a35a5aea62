"""The admin page for people: added with a password shown once, changes that take effect on
the next request, and the last admin kept."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from monitor.store.db import Database
from monitor.store.models import Event
from tests.webui.conftest import PASSWORD, csrf_token


def _log_in(app: Flask, name: str, password: str) -> FlaskClient:
    client = app.test_client()
    client.post("/login", data={"username": name, "password": password,
                                "csrf_token": csrf_token(client)})  # fmt: skip
    return client


def _user_id(page: str, name: str) -> int:
    match = re.search(rf'<tr id="user-(\d+)"[^>]*>\s*<td><strong>{name}</strong>', page)
    assert match, f"{name} is not on the page"
    return int(match.group(1))


def test_an_admin_adds_a_person_who_logs_in_with_the_password_shown_once(
    app: Flask, login: Callable[[str], FlaskClient], db: Database
) -> None:
    admin = login("admin")
    token = csrf_token(admin, "/admin/users")
    added = admin.post("/admin/users", data={"csrf_token": token, "name": "bram",
                                             "role": "agent", "teams": ["webcare"],
                                             "email": "bram@stroomlijn.test"})  # fmt: skip
    page = added.get_data(as_text=True)
    match = re.search(r'<code id="new-password">([^<]+)</code>', page)
    assert added.status_code == 200 and match
    bram = _log_in(app, "bram", match.group(1))
    assert bram.get("/queue/webcare").status_code == 200
    assert "new-password" not in admin.get("/admin/users").get_data(as_text=True)
    again = admin.post("/admin/users", data={"csrf_token": token, "name": "bram", "role": "agent"})
    assert again.status_code == 400 and "user &#39;bram&#39; already exists" in again.get_data(
        as_text=True
    )
    with db.read() as session:
        [event] = session.scalars(select(Event).where(Event.kind == "user.created"))
        assert (event.actor, event.data["user"]) == ("admin", "bram")


def test_changes_take_effect_at_once_and_a_person_can_be_let_out(
    app: Flask, login: Callable[[str], FlaskClient]
) -> None:
    anne = login("anne")
    # Customer service's queue can be read by anyone but worked only by its members.
    assert 'id="bulk-action"' not in anne.get("/queue/customer_service").get_data(as_text=True)
    admin = login("admin")
    token = csrf_token(admin, "/admin/users")
    anne_id = _user_id(admin.get("/admin/users").get_data(as_text=True), "anne")
    changed = admin.post(f"/admin/users/{anne_id}", data={
        "csrf_token": token, "role": "agent", "teams": ["webcare", "customer_service"],
        "email": "anne@stroomlijn.test", "active": "on"}, follow_redirects=True)  # fmt: skip
    assert "anne: teams, email changed." in changed.get_data(as_text=True)
    assert 'id="bulk-action"' in anne.get("/queue/customer_service").get_data(as_text=True)
    admin.post(f"/admin/users/{anne_id}", data={"csrf_token": token, "role": "agent",
                                                "teams": ["webcare"]})  # fmt: skip
    assert anne.get("/queue/webcare").status_code == 302  # no longer let in: logged out
    assert _log_in(app, "anne", PASSWORD).get("/queue/webcare").status_code == 302


def test_the_last_admin_stays_and_only_admins_manage_people(
    login: Callable[[str], FlaskClient],
) -> None:
    admin = login("admin")
    token = csrf_token(admin, "/admin/users")
    admin_id = _user_id(admin.get("/admin/users").get_data(as_text=True), "admin")
    refused = admin.post(f"/admin/users/{admin_id}",
                         data={"csrf_token": token, "role": "agent", "active": "on"})  # fmt: skip
    assert refused.status_code == 400
    assert "admin is the last active admin" in refused.get_data(as_text=True)
    assert login("anne").get("/admin/users").status_code == 403
    assert admin.post(f"/admin/users/{admin_id}", data={"role": "agent"}).status_code == 400


def test_a_new_password_replaces_the_old_one(
    app: Flask, login: Callable[[str], FlaskClient]
) -> None:
    admin = login("admin")
    token = csrf_token(admin, "/admin/users")
    vera_id = _user_id(admin.get("/admin/users").get_data(as_text=True), "vera")
    page = admin.post(f"/admin/users/{vera_id}/password", data={"csrf_token": token})
    match = re.search(r'<code id="new-password">([^<]+)</code>', page.get_data(as_text=True))
    assert match
    assert _log_in(app, "vera", PASSWORD).get("/queue/webcare").status_code == 302
    assert _log_in(app, "vera", match.group(1)).get("/queue/webcare").status_code == 200
