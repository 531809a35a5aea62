"""The Alerts page: admins see and make rules, test them, and retry what failed; PR officers
may look; nobody else may."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from monitor.alerts.rules import RuleBook
from monitor.config import Settings
from monitor.store import alerts as alert_store
from monitor.store.db import Database
from monitor.store.models import AlertDelivery, utcnow
from tests.webui.conftest import csrf_token


@pytest.fixture
def settings(settings_for: Callable[..., Settings]) -> Settings:
    return settings_for(
        [{"name": "social", "url": "https://social.example/feed"}],
        alerts=[{"name": "press", "category": "journalist_inquiry",
                 "notify": ["json://hooks.example/press", "slack://TA/TB/TC/#pers"]}],
    )  # fmt: skip


def _post(client: FlaskClient, path: str, **data: str) -> str:
    response = client.post(path, data={**data, "csrf_token": csrf_token(client, "/alerts")},
                           follow_redirects=True)  # fmt: skip
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_admins_see_the_config_rules_with_their_secrets_masked(
    login: Callable[[str], FlaskClient],
) -> None:
    page = login("admin").get("/alerts").get_data(as_text=True)
    assert "press" in page and "category journalist_inquiry" in page
    assert "json://hooks.example/press" in page
    assert "TB/TC" not in page  # Slack tokens are masked
    assert "sent anyway" in page  # journalist inquiries ignore quiet hours


def test_an_admin_adds_a_rule_that_every_worker_then_uses(
    login: Callable[[str], FlaskClient], db: Database, settings: Settings
) -> None:
    page = _post(login("admin"), "/alerts/rules", name="storingen", event="mention",
                 category="complaint", min_priority="70", group="10m",
                 notify="json://hooks.example/storing\n")  # fmt: skip
    assert "Rule &#39;storingen&#39; saved" in page
    [rule] = [r for r in RuleBook(settings, db).rules() if r.name == "storingen"]
    assert (rule.category, rule.min_priority, rule.group) == ("complaint", 70, 600.0)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"notify": "pr@example.org"}, "expected an Apprise URL"),
        ({"notify": "slak://T/B/C"}, "Apprise does not understand"),
        ({"notify": "webhook:crm"}, "no [[webhooks]] entry named &#39;crm&#39;"),
        ({"notify": "json://h/x", "name": "press"}, "the config file has a rule named"),
        ({"notify": "json://h/x", "min_priority": "101"}, "min_priority"),
    ],
)
def test_a_rule_that_cannot_work_is_refused_with_its_reason(
    login: Callable[[str], FlaskClient],
    db: Database,
    settings: Settings,
    fields: dict[str, str],
    message: str,
) -> None:
    page = _post(login("admin"), "/alerts/rules", **{"name": "new", **fields})
    assert "The rule was not saved" in page
    assert message in page
    assert len(RuleBook(settings, db).rules()) == 1


def test_a_failed_delivery_stays_visible_until_an_admin_retries_it(
    login: Callable[[str], FlaskClient], db: Database
) -> None:
    now = utcnow()
    with db.write() as session:
        alert_store.raise_alerts(session, [alert_store.NewAlert(
            key="k", event="mention", rule="press", subject="Persvraag over de storing",
            body="b", targets=("json://hooks.example/press",), not_before=now)], now)  # fmt: skip
        delivery = session.scalars(select(AlertDelivery)).one()
        delivery.status, delivery.attempts, delivery.last_error = "failed", 8, "HTTP 500"
    admin = login("admin")
    page = admin.get("/alerts?status=failed").get_data(as_text=True)
    assert "1 alert delivery failed" in page
    assert "Persvraag over de storing" in page and "HTTP 500" in page
    page = _post(admin, "/alerts/retry", delivery=str(delivery.id))
    assert "1 failed delivery will be tried again" in page
    with db.read() as session:
        assert session.scalars(select(AlertDelivery)).one().status == "pending"


def test_a_test_alert_goes_to_every_target_of_the_rule(
    login: Callable[[str], FlaskClient], db: Database
) -> None:
    _post(login("admin"), "/alerts/test", rule="press")
    with db.read() as session:
        targets = sorted(d.target for d in session.scalars(select(AlertDelivery)))
    assert targets == ["json://hooks.example/press", "slack://TA/TB/TC/#pers"]


def test_pr_officers_may_look_but_not_change_and_others_may_not_look(
    login: Callable[[str], FlaskClient],
) -> None:
    piet = login("piet")
    assert piet.get("/alerts").status_code == 200
    token = csrf_token(piet, "/alerts")
    response = piet.post("/alerts/retry", data={"csrf_token": token})
    assert response.status_code == 403
    assert login("anne").get("/alerts").status_code == 403
    assert login("vera").get("/alerts").status_code == 403


def test_the_queues_tell_admins_and_pr_officers_that_somebody_was_not_told(
    login: Callable[[str], FlaskClient], db: Database
) -> None:
    now = utcnow()
    with db.write() as session:
        alert_store.raise_alerts(session, [alert_store.NewAlert(
            key="k", event="mention", rule="press", subject="s", body="b",
            targets=("json://hooks.example/press",), not_before=now)], now)  # fmt: skip
        session.scalars(select(AlertDelivery)).one().status = "failed"
    assert "1 alert delivery failed" in login("piet").get("/queue/spokesperson").get_data(True)
    assert "alert deliver" not in login("anne").get("/queue/webcare").get_data(True)
