"""WebSub subscriptions: which requests go to which hub when, and what the answers change."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from sqlalchemy import select

from monitor.config import Settings
from monitor.periodic import jobs_for
from monitor.store.db import Database
from monitor.store.models import Event, Source, WebSubSubscription, utcnow
from monitor.store.websub import (
    LEASE_SECONDS,
    RESEND_AFTER,
    note_hub,
    record_denied,
    record_verified,
    subscriptions_by_source,
)
from monitor.websub import NEEDS_PUBLIC_URL, send_due, signature_matches

TOPIC = "https://feeds.example/stroomlijn.xml"
PUBLIC_URL = "https://webcare.example"


@dataclass
class HubCall:
    """One request the hub received, and how our callback answered its verification."""

    form: dict[str, str]
    verification: httpx.Response | None = None
    challenge: str | None = None

    @property
    def echoed(self) -> bool:
        v = self.verification
        return v is not None and v.status_code == 200 and v.text == self.challenge


class Hub:
    """A WebSub hub on 127.0.0.1: takes (un)subscribe requests and, when told to, verifies
    them at the callback before it answers (or denies them); publishes signed content."""

    def __init__(self) -> None:
        self.calls: list[HubCall] = []
        self.status = 202
        self.answer_body = b""
        self.verify = False
        self.deny_reason: str | None = None
        self.topic_override: str | None = None
        self.lease_seconds = LEASE_SECONDS
        # callback -> (topic, secret) for the verified subscriptions
        self.subscribers: dict[str, tuple[str, str]] = {}
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(parse_qsl(self.rfile.read(length).decode()))
                call = HubCall(form)
                hub.calls.append(call)
                if hub.deny_reason is not None:
                    hub._deny(call)
                elif hub.verify:
                    hub._verify(call)
                self.send_response(hub.status)
                self.send_header("Content-Length", str(len(hub.answer_body)))
                self.end_headers()
                self.wfile.write(hub.answer_body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/hub"

    def _verify(self, call: HubCall) -> None:
        call.challenge = secrets.token_urlsafe(16)
        params = {
            "hub.mode": call.form["hub.mode"],
            "hub.topic": self.topic_override or call.form["hub.topic"],
            "hub.challenge": call.challenge,
        }
        if call.form["hub.mode"] == "subscribe":
            params["hub.lease_seconds"] = str(self.lease_seconds)
        call.verification = httpx.get(call.form["hub.callback"], params=params, timeout=10)
        if not call.echoed:
            return
        if call.form["hub.mode"] == "subscribe":
            topic, secret = call.form["hub.topic"], call.form["hub.secret"]
            self.subscribers[call.form["hub.callback"]] = (topic, secret)
        else:
            self.subscribers.pop(call.form["hub.callback"], None)

    def _deny(self, call: HubCall) -> None:
        params = {
            "hub.mode": "denied",
            "hub.topic": call.form["hub.topic"],
            "hub.reason": self.deny_reason or "",
        }
        call.verification = httpx.get(call.form["hub.callback"], params=params, timeout=10)

    def publish(
        self,
        topic: str,
        body: bytes | str,
        *,
        secret: str | None = None,
        method: str = "sha256",
        content_type: str = "application/rss+xml",
    ) -> list[httpx.Response]:
        """Deliver new content to every verified subscriber of the topic, signed."""
        data = body.encode() if isinstance(body, str) else body
        answers = []
        for callback, (subscribed, own_secret) in list(self.subscribers.items()):
            if subscribed != topic:
                continue
            key = (secret or own_secret).encode()
            signature = hmac.new(key, data, getattr(hashlib, method)).hexdigest()
            headers = {"Content-Type": content_type, "X-Hub-Signature": f"{method}={signature}"}
            answers.append(httpx.post(callback, content=data, headers=headers, timeout=30))
        return answers

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def hub() -> Iterator[Hub]:
    server = Hub()
    yield server
    server.stop()


def pushed_source(name: str = "pushed", **extra: Any) -> dict[str, Any]:
    """A feed source with WebSub on, allowed to reach hubs on 127.0.0.1 (the test hub)."""
    source = {
        "name": name,
        "url": TOPIC,
        "websub": True,
        "allow_private_addresses": True,
        "interval": "5m",
    }
    return {**source, **extra}


def source_id(db: Database, name: str = "pushed") -> int:
    with db.read() as session:
        found = session.scalar(select(Source.id).where(Source.name == name))
    assert found is not None
    return found


def subscription(db: Database, source: int) -> WebSubSubscription:
    with db.read() as session:
        found = subscriptions_by_source(session).get(source)
    assert found is not None
    return found


def push_until(db: Database, source: int) -> Any:
    with db.read() as session:
        return session.scalar(select(Source.push_until).where(Source.id == source))


def event_kinds(db: Database, source: int) -> list[str]:
    with db.read() as session:
        query = select(Event.kind).where(Event.source_id == source).order_by(Event.id)
        return list(session.scalars(query))


def note(
    db: Database, source: int, hub: str, topic: str = TOPIC, now: datetime | None = None
) -> None:
    with db.write() as session:
        note_hub(session, source_id=source, hub=hub, topic=topic, now=now or utcnow())


def verify(db: Database, source: int, topic: str = TOPIC, lease: int | None = 864000) -> bool:
    with db.write() as session:
        return record_verified(
            session, source, mode="subscribe", topic=topic, lease_seconds=lease, now=utcnow()
        )


@pytest.fixture
def settings(settings_for: Callable[..., Settings]) -> Settings:
    return settings_for([pushed_source()], web={"public_url": PUBLIC_URL})


# --- the secret and the signature --------------------------------------------------------


@pytest.mark.parametrize("method", ["sha1", "sha256", "sha384", "sha512"])
def test_a_push_signed_with_our_secret_by_any_spec_method_is_recognised(method: str) -> None:
    body = b"<rss>new items</rss>"
    digest = hmac.new(b"s3cret", body, getattr(hashlib, method)).hexdigest()
    assert signature_matches("s3cret", body, f"{method}={digest}")
    assert signature_matches("s3cret", body, f"{method.upper()}={digest.upper()}")
    assert not signature_matches("other", body, f"{method}={digest}")
    assert not signature_matches("s3cret", body + b" ", f"{method}={digest}")


@pytest.mark.parametrize(
    "header", [None, "", "sha256", "md5=abc", "sha256=not-hex", "sha256=", "sha256=ab cd"]
)
def test_a_missing_or_malformed_signature_never_matches(header: str | None) -> None:
    assert not signature_matches("s3cret", b"body", header)


# --- what note_hub asks for ------------------------------------------------------------------


def test_a_hub_is_asked_once_per_hub_and_topic_with_a_fresh_secret_for_each_change(
    db: Database, settings: Settings
) -> None:
    source = source_id(db)
    note(db, source, "https://hub.example/")
    first = subscription(db, source)
    assert first.state == "requested" and len(first.secret) < 200
    note(db, source, "https://hub.example/")
    assert subscription(db, source).secret == first.secret
    note(db, source, "https://hub.example/", topic=TOPIC + "?moved")
    moved = subscription(db, source)
    assert moved.state == "requested" and moved.secret != first.secret
    assert moved.topic_url == TOPIC + "?moved"
    note(db, source, "https://other-hub.example/", topic=TOPIC + "?moved")
    assert subscription(db, source).secret not in (first.secret, moved.secret)


def test_an_active_subscription_is_left_alone_until_the_hub_or_topic_changes(
    db: Database, settings: Settings
) -> None:
    source = source_id(db)
    note(db, source, "https://hub.example/")
    assert verify(db, source)
    active = subscription(db, source)
    assert active.state == "active" and push_until(db, source) == active.expires_at
    note(db, source, "https://hub.example/")
    assert subscription(db, source).state == "active"
    note(db, source, "https://new-hub.example/")
    changed = subscription(db, source)
    assert changed.state == "requested" and changed.secret != active.secret
    assert push_until(db, source) is None  # the new hub pushes nothing until it verifies


def test_a_hub_that_denied_us_is_asked_again_only_after_a_day(
    db: Database, settings: Settings
) -> None:
    source = source_id(db)
    note(db, source, "https://hub.example/")
    with db.write() as session:
        assert record_denied(session, source, topic=TOPIC, reason="not here", now=utcnow())
    note(db, source, "https://hub.example/")
    assert subscription(db, source).state == "denied"
    note(db, source, "https://hub.example/", now=utcnow() + timedelta(days=1, minutes=1))
    assert subscription(db, source).state == "requested"


# --- the websub job ---------------------------------------------------------------------------


def test_the_job_sends_a_subscribe_request_with_our_callback_secret_and_lease(
    db: Database, settings: Settings, hub: Hub
) -> None:
    source = source_id(db)
    note(db, source, hub.url)
    assert send_due(settings, db) == "0 expired, 1 sent, 0 failed"
    [call] = hub.calls
    sub = subscription(db, source)
    assert call.form == {
        "hub.mode": "subscribe",
        "hub.topic": TOPIC,
        "hub.callback": f"{PUBLIC_URL}/websub/{source}",
        "hub.secret": sub.secret,
        "hub.lease_seconds": str(LEASE_SECONDS),
    }
    assert sub.state == "requested" and sub.last_error is None
    assert sub.lease_seconds == LEASE_SECONDS
    # Sent once; asked again only when the hub has not verified within the resend time.
    assert send_due(settings, db) == "0 expired, nothing to send"
    later = utcnow() + timedelta(seconds=RESEND_AFTER + 60)
    send_due(settings, db, now=later)
    assert [c.form["hub.secret"] for c in hub.calls] == [sub.secret, sub.secret]


def test_without_a_public_url_nothing_is_sent_and_the_subscription_says_why(
    db: Database, settings_for: Callable[..., Settings], hub: Hub
) -> None:
    settings = settings_for([pushed_source()])
    source = source_id(db)
    note(db, source, hub.url)
    result = send_due(settings, db)
    assert "nothing sent" in result and "public_url" in result
    assert hub.calls == []
    sub = subscription(db, source)
    assert sub.state == "requested" and sub.last_error == NEEDS_PUBLIC_URL
    assert "[web] public_url" in NEEDS_PUBLIC_URL
    # Once the address is configured, the request goes out at the next run.
    send_due(settings_for([pushed_source()], web={"public_url": PUBLIC_URL}), db)
    assert len(hub.calls) == 1


def test_a_hub_that_does_not_accept_the_request_is_recorded_with_its_answer(
    db: Database, settings: Settings, hub: Hub
) -> None:
    hub.status, hub.answer_body = 400, b"hub.topic is not a feed we serve"
    source = source_id(db)
    note(db, source, hub.url)
    assert send_due(settings, db) == "0 expired, 1 sent, 1 failed"
    error = subscription(db, source).last_error or ""
    assert "HTTP 400 instead of 202 Accepted" in error and "not a feed we serve" in error
    hub.status = 202
    send_due(settings, db, now=utcnow() + timedelta(seconds=RESEND_AFTER + 60))
    assert len(hub.calls) == 2 and subscription(db, source).last_error is None


def test_a_hub_on_a_private_address_is_refused_unless_the_source_allows_it(
    db: Database, settings_for: Callable[..., Settings], hub: Hub
) -> None:
    guarded = pushed_source(allow_private_addresses=False)
    settings = settings_for([guarded], web={"public_url": PUBLIC_URL})
    source = source_id(db)
    note(db, source, hub.url)
    send_due(settings, db)
    assert hub.calls == []
    assert "refused to connect" in (subscription(db, source).last_error or "")


def test_renewal_goes_out_a_day_before_the_lease_ends_and_not_before(
    db: Database, settings: Settings, hub: Hub
) -> None:
    source = source_id(db)
    note(db, source, hub.url)
    send_due(settings, db)
    assert verify(db, source)
    sub = subscription(db, source)
    assert sub.expires_at is not None
    send_due(settings, db, now=sub.expires_at - timedelta(days=1, minutes=5))
    assert len(hub.calls) == 1
    almost = sub.expires_at - timedelta(hours=23)
    send_due(settings, db, now=almost)
    renewal = hub.calls[-1].form
    assert len(hub.calls) == 2 and renewal["hub.mode"] == "subscribe"
    assert renewal["hub.secret"] == sub.secret  # pushes on their way stay verifiable
    send_due(settings, db, now=almost + timedelta(minutes=5))
    assert len(hub.calls) == 2  # sent, waiting for the hub
    send_due(settings, db, now=almost + timedelta(seconds=RESEND_AFTER + 60))
    assert len(hub.calls) == 3  # unanswered for an hour: sent again
    assert verify(db, source)
    renewed = subscription(db, source)
    assert renewed.state == "active" and renewed.expires_at is not None
    assert renewed.expires_at > sub.expires_at and push_until(db, source) == renewed.expires_at


def test_a_lease_that_runs_out_expires_and_polling_speeds_up_again(
    db: Database, settings: Settings, hub: Hub
) -> None:
    source = source_id(db)
    note(db, source, hub.url)
    assert verify(db, source, lease=3600)
    assert push_until(db, source) is not None
    assert send_due(settings, db, now=utcnow() + timedelta(hours=2)).startswith("1 expired")
    assert subscription(db, source).state == "expired"
    assert push_until(db, source) is None
    assert event_kinds(db, source)[-1] == "websub.expired"
    note(db, source, hub.url)  # the next check of the feed asks again
    assert subscription(db, source).state == "requested"


def test_a_source_switched_off_or_removed_is_unsubscribed_at_its_hub(
    db: Database, settings_for: Callable[..., Settings], hub: Hub
) -> None:
    both = [pushed_source("a"), pushed_source("b"), pushed_source("c")]
    settings_for(both, web={"public_url": PUBLIC_URL})
    a, b, c = source_id(db, "a"), source_id(db, "b"), source_id(db, "c")
    for source in (a, b, c):
        note(db, source, hub.url)
    assert verify(db, a) and verify(db, b)  # c stays requested, never verified
    kept = settings_for([pushed_source("a", websub=False)], web={"public_url": PUBLIC_URL})
    send_due(kept, db)
    assert sorted((c.form["hub.mode"], c.form["hub.callback"]) for c in hub.calls) == [
        ("unsubscribe", f"{PUBLIC_URL}/websub/{a}"),
        ("unsubscribe", f"{PUBLIC_URL}/websub/{b}"),
    ]
    assert "hub.secret" not in hub.calls[0].form
    states = {s: subscription(db, s).state for s in (a, b, c)}
    assert states == {a: "unsubscribing", b: "unsubscribing", c: "unsubscribed"}
    assert push_until(db, a) is None and push_until(db, b) is None
    with db.write() as session:  # the hub confirms
        assert record_verified(
            session, a, mode="unsubscribe", topic=TOPIC, lease_seconds=None, now=utcnow()
        )
    assert subscription(db, a).state == "unsubscribed"


def test_the_websub_job_runs_only_when_some_source_asks_for_websub(
    db: Database, settings_for: Callable[..., Settings]
) -> None:
    plain = settings_for([{"name": "plain", "url": TOPIC}])
    assert "websub" not in [job.name for job in jobs_for(plain, db)]
    pushed = settings_for([pushed_source()])
    [job] = [job for job in jobs_for(pushed, db) if job.name == "websub"]
    assert job.every <= 120
    assert "nothing sent" in job.run()  # no public_url in these settings
