"""The WebSub callback, served on a real port: hubs verify our intent there and push to it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.serving import make_server

from monitor.config import Settings
from monitor.store.db import Database
from monitor.store.models import Event, Mention, Source, utcnow
from monitor.websub import BAD_SIGNATURE, send_due
from tests.conftest import rss
from tests.monitor.test_websub import (
    TOPIC,
    Hub,
    event_kinds,
    note,
    push_until,
    pushed_source,
    source_id,
    subscription,
)
from webui import create_app

NEWS = rss(
    {
        "title": "Storing",
        "link": "http://example.org/push/1",
        "guid": "push-1",
        "description": "Al uren geen stroom bij Stroomlijn, wat een drama",
    },
    {
        "title": "Vraag",
        "link": "http://example.org/push/2",
        "guid": "push-2",
        "description": "Hoe zeg ik mijn contract bij Stroomlijn op?",
    },
)


@dataclass
class Served:
    """The web UI on 127.0.0.1, and settings whose public_url points at it."""

    app: Flask
    settings: Settings
    url: str

    def callback(self, source: int) -> str:
        return f"{self.url}/websub/{source}"


@pytest.fixture
def hub() -> Iterator[Hub]:
    server = Hub()
    server.verify = True
    yield server
    server.stop()


@pytest.fixture
def served(db: Database, settings_for: Callable[..., Settings]) -> Iterator[Served]:
    settings = settings_for([pushed_source(), {"name": "polled", "url": TOPIC + "?polled"}])
    app = create_app(settings, db, config={"TESTING": True})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    web = settings.web.model_copy(update={"public_url": url})
    try:
        yield Served(app, settings.model_copy(update={"web": web}), url)
    finally:
        server.shutdown()
        thread.join()


@pytest.fixture
def subscribed(db: Database, served: Served, hub: Hub) -> int:
    """The pushed source, subscribed through the hub and verified at our callback."""
    source = source_id(db)
    note(db, source, hub.url)
    send_due(served.settings, db)
    assert hub.calls[-1].echoed
    return source


def mentions(db: Database, source: int) -> int:
    with db.read() as session:
        return int(
            session.scalar(select(func.count(Mention.id)).where(Mention.source_id == source)) or 0
        )


# --- verification of intent ------------------------------------------------------------------


def test_a_subscription_becomes_active_when_the_hub_gets_its_challenge_echoed(
    db: Database, served: Served, hub: Hub
) -> None:
    source = source_id(db)
    note(db, source, hub.url)
    before = utcnow()
    assert send_due(served.settings, db) == "0 expired, 1 sent, 0 failed"
    [call] = hub.calls
    assert call.form["hub.callback"] == served.callback(source)
    assert call.echoed
    assert call.verification is not None
    assert call.verification.headers["content-type"].startswith("text/plain")
    sub = subscription(db, source)
    assert sub.state == "active" and sub.verified_at is not None and sub.verified_at >= before
    assert sub.expires_at == sub.verified_at + timedelta(seconds=hub.lease_seconds)
    assert push_until(db, source) == sub.expires_at
    assert sub.last_error is None
    assert event_kinds(db, source) == ["websub.subscribed"]


def test_a_verification_for_another_topic_is_refused_and_nothing_changes(
    db: Database, served: Served, hub: Hub
) -> None:
    hub.topic_override = "https://elsewhere.example/feed.xml"
    source = source_id(db)
    note(db, source, hub.url)
    send_due(served.settings, db)
    [call] = hub.calls
    assert call.verification is not None and call.verification.status_code == 404
    assert not call.echoed and hub.subscribers == {}
    assert subscription(db, source).state == "requested"
    assert push_until(db, source) is None


def test_verifications_nobody_asked_for_are_refused(
    db: Database, served: Served, subscribed: int
) -> None:
    client = served.app.test_client()
    ask = {"hub.topic": TOPIC, "hub.challenge": "c", "hub.lease_seconds": "600"}
    # We never asked to unsubscribe, so a hub (or anyone) saying we did gets a 404.
    assert (
        client.get(
            f"/websub/{subscribed}", query_string={**ask, "hub.mode": "unsubscribe"}
        ).status_code
        == 404
    )
    assert subscription(db, subscribed).state == "active"
    polled = source_id(db, "polled")
    for source, query in [
        (polled, {**ask, "hub.mode": "subscribe"}),  # no subscription for this source
        (9999, {**ask, "hub.mode": "subscribe"}),
        (subscribed, {"hub.mode": "subscribe", "hub.topic": TOPIC}),  # no challenge
        (subscribed, {**ask, "hub.mode": "publish"}),
        (subscribed, {**ask, "hub.mode": "denied", "hub.topic": TOPIC + "?other"}),
    ]:
        assert client.get(f"/websub/{source}", query_string=query).status_code == 404, query


def test_the_callback_needs_no_login_and_no_csrf_token(
    db: Database, served: Served, subscribed: int
) -> None:
    query = {"hub.mode": "subscribe", "hub.topic": TOPIC, "hub.challenge": "xyz"}
    answer = httpx.get(served.callback(subscribed), params=query)
    assert answer.status_code == 200 and answer.text == "xyz"
    assert httpx.post(served.callback(subscribed), content=b"x").status_code == 200


def test_a_denied_subscription_is_recorded_with_the_hubs_reason(
    db: Database, served: Served, hub: Hub
) -> None:
    hub.deny_reason = "this hub only serves its own feeds"
    source = source_id(db)
    note(db, source, hub.url)
    send_due(served.settings, db)
    [call] = hub.calls
    assert call.verification is not None and call.verification.status_code == 200
    sub = subscription(db, source)
    assert sub.state == "denied"
    assert sub.last_error == "the hub denied the subscription: this hub only serves its own feeds"
    assert push_until(db, source) is None
    assert event_kinds(db, source) == ["websub.denied"]


def test_a_hub_may_end_an_active_subscription_by_denying_it(
    db: Database, served: Served, subscribed: int
) -> None:
    query = {"hub.mode": "denied", "hub.topic": TOPIC}
    assert httpx.get(served.callback(subscribed), params=query).status_code == 200
    sub = subscription(db, subscribed)
    assert sub.state == "denied" and "gave no reason" in (sub.last_error or "")
    assert push_until(db, subscribed) is None


def test_renewal_is_verified_again_before_the_lease_ends(
    db: Database, served: Served, hub: Hub, subscribed: int
) -> None:
    first = subscription(db, subscribed)
    assert first.expires_at is not None
    send_due(served.settings, db, now=first.expires_at - timedelta(hours=12))
    assert len(hub.calls) == 2 and hub.calls[-1].echoed
    renewed = subscription(db, subscribed)
    assert renewed.state == "active" and renewed.secret == first.secret
    assert renewed.verified_at is not None and first.verified_at is not None
    assert renewed.verified_at >= first.verified_at
    with db.read() as session:
        data = session.scalars(
            select(Event.data).where(
                Event.source_id == subscribed, Event.kind == "websub.subscribed"
            )
        ).all()
    assert [d["renewed"] for d in data] == [False, True]


def test_a_source_switched_off_is_unsubscribed_and_its_hub_told_to_stop_pushing(
    db: Database, settings_for: Callable[..., Settings], served: Served, hub: Hub, subscribed: int
) -> None:
    settings_for([pushed_source(websub=False)])
    send_due(served.settings, db)
    assert hub.calls[-1].form["hub.mode"] == "unsubscribe" and hub.calls[-1].echoed
    assert subscription(db, subscribed).state == "unsubscribed"
    assert hub.subscribers == {}
    # A hub that missed it and pushes anyway hears 410 Gone, the spec's "drop this subscription".
    status = httpx.post(served.callback(subscribed), content=NEWS.encode()).status_code
    assert status == 410 and mentions(db, subscribed) == 0


# --- content distribution --------------------------------------------------------------------


def test_a_signed_push_becomes_mentions(
    db: Database, served: Served, hub: Hub, subscribed: int
) -> None:
    [answer] = hub.publish(TOPIC, NEWS)
    assert answer.status_code == 200
    assert mentions(db, subscribed) == 2
    sub = subscription(db, subscribed)
    assert sub.pushes == 1 and sub.last_push_at is not None
    with db.read() as session:
        source = session.get(Source, subscribed)
        assert source is not None and source.items_collected == 2
    # The same items pushed again (or polled later) add nothing.
    [again] = hub.publish(TOPIC, NEWS, method="sha1")
    assert again.status_code == 200 and mentions(db, subscribed) == 2
    assert subscription(db, subscribed).pushes == 2


def test_a_push_with_a_bad_signature_changes_nothing_and_still_gets_a_2xx(
    db: Database, served: Served, hub: Hub, subscribed: int
) -> None:
    [forged] = hub.publish(TOPIC, NEWS, secret="guessed")
    assert forged.status_code == 200
    unsigned = httpx.post(
        served.callback(subscribed),
        content=NEWS.encode(),
        headers={"Content-Type": "application/rss+xml"},
    )
    assert unsigned.status_code == 200
    assert mentions(db, subscribed) == 0
    sub = subscription(db, subscribed)
    assert sub.pushes == 0 and sub.last_error == BAD_SIGNATURE
    # One event for the run of rejected pushes, not one per attempt.
    assert event_kinds(db, subscribed) == ["websub.subscribed", "websub.push_rejected"]
    hub.publish(TOPIC, NEWS)
    assert mentions(db, subscribed) == 2 and subscription(db, subscribed).last_error is None


def test_a_signed_push_that_is_not_a_feed_is_acknowledged_and_recorded(
    db: Database, served: Served, hub: Hub, subscribed: int
) -> None:
    [answer] = hub.publish(
        TOPIC, "<html><body>Hub error page</body></html>", content_type="text/html"
    )
    assert answer.status_code == 200
    error = subscription(db, subscribed).last_error or ""
    assert error.startswith("a push that is not a feed was ignored") and "HTML page" in error
    assert mentions(db, subscribed) == 0


def test_pushes_where_we_hold_no_subscription_are_answered_gone(
    db: Database, served: Served, hub: Hub
) -> None:
    for source in (source_id(db, "polled"), 9999):
        assert httpx.post(served.callback(source), content=NEWS.encode()).status_code == 410


def test_a_push_while_we_are_still_subscribing_is_ignored_without_ending_it(
    db: Database, served: Served, hub: Hub
) -> None:
    source = source_id(db)
    note(db, source, hub.url)
    answer = httpx.post(served.callback(source), content=NEWS.encode())
    assert answer.status_code == 200 and mentions(db, source) == 0


def test_an_oversized_push_is_refused_before_it_is_read(
    db: Database, served: Served, hub: Hub, subscribed: int
) -> None:
    too_big = b"<rss>" + b" " * (served.app.config["MAX_CONTENT_LENGTH"] + 1) + b"</rss>"
    [answer] = hub.publish(TOPIC, too_big)
    assert answer.status_code == 413
    assert subscription(db, subscribed).pushes == 0
