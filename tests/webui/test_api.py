"""The JSON API: bearer tokens or sessions, the same filters and permissions as the UI."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from monitor.store.db import Database
from monitor.store.users import create_token, get_user
from tests.webui.conftest import csrf_token


def _token(db: Database, name: str) -> dict[str, str]:
    with db.write() as session:
        user = get_user(session, name)
        assert user is not None
        return {"Authorization": f"Bearer {create_token(session, user)}"}


def test_listing_needs_credentials_and_answers_in_json(app: Flask, db: Database) -> None:
    client = app.test_client()
    refused = client.get("/api/v1/mentions")
    assert refused.status_code == 401 and "Bearer" in refused.json["error"]
    assert (
        client.get("/api/v1/mentions", headers={"Authorization": "Bearer nope"}).status_code == 401
    )
    listing = client.get("/api/v1/mentions?team=spokesperson", headers=_token(db, "anne"))
    assert listing.status_code == 200
    assert listing.json["total"] == 1
    [item] = listing.json["items"]
    assert item["category"] == "journalist_inquiry" and item["team"] == "spokesperson"
    single = client.get(f"/api/v1/mentions/{item['id']}", headers=_token(db, "anne"))
    assert single.json["url"] == "https://news.example/j1"


def test_filters_are_validated(app: Flask, db: Database) -> None:
    client, headers = app.test_client(), _token(db, "anne")
    assert client.get("/api/v1/mentions?status=closed", headers=headers).status_code == 400
    assert client.get("/api/v1/mentions?since=yesterday", headers=headers).status_code == 400
    assert (
        client.get("/api/v1/mentions?since=2020-01-01T00:00:00", headers=headers).status_code == 400
    )
    recent = client.get(
        "/api/v1/mentions?since=2020-01-01T00:00:00%2B00:00&per_page=2", headers=headers
    )
    assert recent.status_code == 200 and len(recent.json["items"]) == 2
    assert recent.json["total"] == 4


def test_status_changes_by_token_follow_team_rules(app: Flask, db: Database) -> None:
    client = app.test_client()
    items = client.get("/api/v1/mentions", headers=_token(db, "admin")).json["items"]
    press = next(i for i in items if i["team"] == "spokesperson")
    path = f"/api/v1/mentions/{press['id']}/status"
    assert (
        client.post(path, json={"status": "resolved"}, headers=_token(db, "anne")).status_code
        == 403
    )
    assert client.post(path, json={"state": "x"}, headers=_token(db, "piet")).status_code == 400
    done = client.post(path, json={"status": "resolved"}, headers=_token(db, "piet"))
    assert done.status_code == 200 and done.json["status"] == "resolved"


def test_session_posts_need_the_csrf_header(
    login: Callable[[str], FlaskClient], db: Database
) -> None:
    client = login("admin")
    [item] = client.get("/api/v1/mentions?per_page=1").json["items"]
    path = f"/api/v1/mentions/{item['id']}/status"
    assert client.post(path, json={"status": "waiting"}).status_code == 400
    token = csrf_token(client, "/queue/webcare")
    ok = client.post(path, json={"status": "waiting"}, headers={"X-CSRFToken": token})
    assert ok.status_code == 200 and ok.json["status"] == "waiting"


def test_reporters_may_not_read_mentions(app: Flask, db: Database) -> None:
    response = app.test_client().get("/api/v1/mentions", headers=_token(db, "rita"))
    assert response.status_code == 403


def test_the_api_describes_itself(app: Flask) -> None:
    spec = app.test_client().get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert {
        "/api/v1/mentions",
        "/api/v1/mentions/{id}",
        "/api/v1/mentions/{id}/status",
        "/api/v1/mentions/{id}/category",
        "/api/v1/mentions/{id}/assign",
        "/api/v1/mentions/{id}/notes",
    } <= set(spec["paths"])


def test_errors_are_json_with_the_reason(app: Flask, db: Database) -> None:
    client, headers = app.test_client(), _token(db, "anne")
    for path, code, reason in (
        ("/api/v1/mentions?status=closed", 400, "unknown status 'closed'"),
        ("/api/v1/mentions/999999", 404, "mention 999999 does not exist"),
    ):
        response = client.get(path, headers=headers)
        assert (response.status_code, response.is_json) == (code, True)
        assert reason in response.json["error"]
    forbidden = client.get("/api/v1/mentions", headers=_token(db, "rita"))
    assert forbidden.status_code == 403 and "may not read" in forbidden.json["error"]


def test_metrics_are_served_to_authenticated_scrapers(app: Flask, db: Database) -> None:
    client = app.test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=_token(db, "rita")).status_code == 403
    response = client.get("/metrics", headers=_token(db, "vera"))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert (
        'webcare_mentions{category="journalist_inquiry",status="new",team="spokesperson"} 1.0'
        in text
    )
    assert 'webcare_source_consecutive_errors{source="social"} 0.0' in text
    assert "webcare_model_info{version=" in text


def test_relabelling_through_the_api_follows_team_rules(app: Flask, db: Database) -> None:
    client = app.test_client()
    items = client.get("/api/v1/mentions?team=spokesperson", headers=_token(db, "admin")).json
    path = f"/api/v1/mentions/{items['items'][0]['id']}/category"
    assert (
        client.post(path, json={"category": "other"}, headers=_token(db, "anne")).status_code == 403
    )
    assert client.post(path, json={"label": "x"}, headers=_token(db, "piet")).status_code == 400
    done = client.post(path, json={"category": "other"}, headers=_token(db, "piet"))
    assert done.status_code == 200
    assert (done.json["category"], done.json["team"]) == ("other", "webcare")


def test_every_change_the_api_offers_is_described(app: Flask) -> None:
    paths = app.test_client().get("/api/v1/openapi.json").json["paths"]
    for path, field in (("status", "status"), ("category", "category")):
        body = paths[f"/api/v1/mentions/{{id}}/{path}"]["post"]["requestBody"]
        schema = body["content"]["application/json"]["schema"]
        assert schema["required"] == [field] and schema["properties"][field]["enum"]


def test_listing_filters_by_assignee_and_sorts(app: Flask, db: Database) -> None:
    client, anne = app.test_client(), _token(db, "anne")
    items = client.get("/api/v1/mentions?team=webcare&sort=priority", headers=anne).json["items"]
    assert [i["priority"] for i in items] == sorted((i["priority"] for i in items), reverse=True)
    client.post(f"/api/v1/mentions/{items[0]['id']}/assign", json={"user": "anne"}, headers=anne)
    mine = client.get("/api/v1/mentions?assignee=me", headers=anne).json
    assert [i["id"] for i in mine["items"]] == [items[0]["id"]]
    assert client.get("/api/v1/mentions?assignee=anne", headers=anne).json["total"] == 1
    assert client.get("/api/v1/mentions?assignee=ghost", headers=anne).status_code == 400
    assert client.get("/api/v1/mentions?sort=random", headers=anne).status_code == 400
