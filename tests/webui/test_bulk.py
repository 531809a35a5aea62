"""Bulk actions on a selection: one action, each mention checked against the teams, and the
agent back on the page they were on."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from tests.webui.conftest import csrf_token


def _ids(client: FlaskClient, team: str) -> list[int]:
    items = client.get(f"/api/v1/mentions?team={team}").json["items"]
    return [int(i["id"]) for i in items]


def test_dismissing_a_selection_changes_each_and_returns_to_the_same_view(
    login: Callable[[str], FlaskClient],
) -> None:
    admin = login("admin")
    ids = _ids(admin, "webcare")
    token = csrf_token(admin, "/queue/webcare")
    response = admin.post(
        "/queue/webcare/bulk",
        data={"csrf_token": token, "ids": [str(i) for i in ids[:2]], "action": "dismissed",
              "back": "/queue/webcare?sort=oldest"},
    )  # fmt: skip
    assert response.status_code == 302 and response.location == "/queue/webcare?sort=oldest"
    statuses = {i["id"]: i["status"] for i in admin.get("/api/v1/mentions").json["items"]}
    assert [statuses[i] for i in ids[:2]] == ["dismissed", "dismissed"]
    page = admin.get("/queue/webcare").get_data(as_text=True)
    assert "2 mentions dismissed." in page
    for i in ids[:2]:
        assert f'data-mention-id="{i}"' not in page  # closed: out of the open queue


def test_mentions_of_other_teams_in_a_selection_are_skipped_and_counted(
    login: Callable[[str], FlaskClient],
) -> None:
    admin = login("admin")
    press = _ids(admin, "spokesperson")
    anne = login("anne")
    mine = _ids(anne, "webcare")[:1]
    token = csrf_token(anne, "/queue/webcare")
    anne.post("/queue/webcare/bulk", data={"csrf_token": token, "action": "take",
                                           "ids": [str(i) for i in mine + press]})  # fmt: skip
    page = anne.get("/queue/webcare").get_data(as_text=True)
    assert "1 mention assigned to you. 1 skipped: not in your teams." in page
    assert anne.get("/api/v1/mentions?assignee=me").json["total"] == 1
    assert admin.get("/api/v1/mentions?team=spokesperson").json["items"][0]["status"] == "new"


def test_an_empty_selection_or_an_unknown_action_is_explained(
    login: Callable[[str], FlaskClient],
) -> None:
    admin = login("admin")
    token = csrf_token(admin, "/queue/webcare")
    nothing = admin.post("/queue/webcare/bulk", data={"csrf_token": token, "action": "resolved"},
                         follow_redirects=True)  # fmt: skip
    assert "Select one or more mentions first" in nothing.get_data(as_text=True)
    odd = admin.post("/queue/webcare/bulk", data={"csrf_token": token, "action": "delete",
                                                  "ids": ["1"]})  # fmt: skip
    assert odd.status_code == 400 and "Unknown bulk action" in odd.get_data(as_text=True)
    # A forged "back" never leads off the queue pages.
    away = admin.post("/queue/webcare/bulk", data={"csrf_token": token, "action": "resolved",
                                                   "back": "https://evil.example/"})  # fmt: skip
    assert away.location == "/queue/webcare"
    assert admin.post("/queue/webcare/bulk", data={"action": "resolved"}).status_code == 400
