"""WebSub subscriber: asks hubs to push feeds, answers their checks, takes in what they push.

The websub periodic job sends the requests (send_due); the web UI's /websub/<source_id>
callback hands verifications to answer_verification and pushes to receive_push.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import datetime

from monitor.config import Settings
from monitor.errors import FetchError
from monitor.fetch import Fetcher
from monitor.pipeline import Ingestor
from monitor.sources.feed import read_feed
from monitor.store import websub as store
from monitor.store.db import Database
from monitor.store.models import utcnow

NEEDS_PUBLIC_URL = (
    "WebSub needs [web] public_url: the address hubs can reach this UI at, for their callbacks"
)
BAD_SIGNATURE = "a push without a valid X-Hub-Signature was ignored"
_SIGNATURE = re.compile(r"(sha1|sha256|sha384|sha512)=([0-9a-f]+)", re.IGNORECASE)
_DIGESTS = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "sha384": hashlib.sha384,
    "sha512": hashlib.sha512,
}


def callback_url(public_url: str, source_id: int) -> str:
    return f"{public_url.rstrip('/')}/websub/{source_id}"


def signature_matches(secret: str, body: bytes, header: str | None) -> bool:
    """X-Hub-Signature: METHOD=HEX, an HMAC of the raw body with our secret."""
    match = _SIGNATURE.fullmatch((header or "").strip())
    if match is None:
        return False
    digest = _DIGESTS[match.group(1).lower()]
    expected = hmac.new(secret.encode(), body, digest).hexdigest()
    return hmac.compare_digest(expected, match.group(2).lower())


# --- requests to hubs (the periodic job) -------------------------------------------------


def request_form(request: store.HubRequest, callback: str) -> dict[str, str]:
    form = {"hub.mode": request.mode, "hub.topic": request.topic, "hub.callback": callback}
    if request.mode == "subscribe":
        form["hub.secret"] = request.secret
        form["hub.lease_seconds"] = str(request.lease_seconds)
    return form


def _send(fetcher: Fetcher, request: store.HubRequest, callback: str) -> str | None:
    """None when the hub took the request, else what went wrong, for last_error."""
    try:
        answer = fetcher.post_form(
            request.hub, request_form(request, callback), allow_private=request.allow_private
        )
    except FetchError as exc:
        return f"{request.mode} request to the hub {request.hub} failed: {exc}"
    # 204: hubs of the PubSubHubbub 0.3 era say so after verifying before they answer.
    if answer.status in (202, 204):
        return None
    detail = answer.body[:300].decode("utf-8", "replace").strip()
    return (
        f"the hub {request.hub} answered the {request.mode} request with HTTP {answer.status} "
        f"instead of 202 Accepted" + (f": {detail}" if detail else "")
    )


def send_due(
    settings: Settings,
    db: Database,
    *,
    fetcher: Fetcher | None = None,
    now: datetime | None = None,
) -> str:
    """Expire lapsed leases, then send the subscribe, renew and unsubscribe requests now due."""
    now = now or utcnow()
    with db.write() as session:
        expired = store.expire_lapsed(session, now=now)
        if not settings.web.public_url:
            store.record_unsendable(session, error=NEEDS_PUBLIC_URL)
            return f"{expired} expired; nothing sent: {NEEDS_PUBLIC_URL}"
        requests = store.due_requests(session, now=now)
    if not requests:
        return f"{expired} expired, nothing to send"
    own = fetcher is None
    if fetcher is None:
        from monitor.scheduler import fetch_policy  # the scheduler imports the periodic jobs

        fetcher = Fetcher(fetch_policy(settings))
    try:
        errors = [
            _send(fetcher, r, callback_url(settings.web.public_url, r.source_id)) for r in requests
        ]
    finally:
        if own:
            fetcher.close()
    with db.write() as session:
        for request, error in zip(requests, errors, strict=True):
            store.record_answer(session, request, error=error)
    failed = sum(1 for e in errors if e)
    return f"{expired} expired, {len(requests)} sent, {failed} failed"


# --- the callback (the web UI) -----------------------------------------------------------


def _lease(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def answer_verification(
    db: Database, source_id: int, params: Mapping[str, str], *, now: datetime
) -> str | None:
    """The body to answer a hub's GET with (200), or None for 404: we did not ask for that."""
    mode, topic = params.get("hub.mode", ""), params.get("hub.topic", "")
    if not topic:
        return None
    if mode == "denied":
        with db.write() as session:
            known = store.record_denied(
                session, source_id, topic=topic, reason=params.get("hub.reason", "")[:500], now=now
            )
        return "" if known else None
    challenge = params.get("hub.challenge", "")
    if mode not in ("subscribe", "unsubscribe") or not challenge:
        return None
    with db.write() as session:
        ours = store.record_verified(
            session,
            source_id,
            mode=mode,
            topic=topic,
            lease_seconds=_lease(params.get("hub.lease_seconds")),
            now=now,
        )
    return challenge if ours else None


class Push(enum.Enum):
    TAKEN = "taken"  # signed, a feed, ingested
    IGNORED = "ignored"  # answered like TAKEN, so that a forger learns nothing
    GONE = "gone"  # we want no pushes here: 410 tells the hub to drop the subscription


def receive_push(
    db: Database,
    ingestor: Ingestor,
    source_id: int,
    body: bytes,
    *,
    content_type: str | None,
    signature: str | None,
    now: datetime,
) -> Push:
    """Check a pushed body's signature, read it as a feed and ingest its items."""
    with db.read() as session:
        target = store.push_target(session, source_id)
    if target is None or not target.wanted:
        return Push.GONE
    if target.state != store.ACTIVE:
        # requested: we are subscribing right now, and a 410 could make the hub drop that.
        return Push.IGNORED if target.state == store.REQUESTED else Push.GONE
    if not signature_matches(target.secret, body, signature):
        with db.write() as session:
            store.record_push_rejected(session, source_id, error=BAD_SIGNATURE)
        return Push.IGNORED
    try:
        parsed = read_feed(body, target.topic, content_type)
    except FetchError as exc:
        with db.write() as session:
            error = f"a push that is not a feed was ignored: {exc}"[:2000]
            store.record_push_rejected(session, source_id, error=error)
        return Push.IGNORED
    report = ingestor.ingest(
        source_id=source_id, source_name=target.source_name, items=parsed.items, now=now
    )
    with db.write() as session:
        store.record_push(session, source_id, new_items=report.new, now=now)
    return Push.TAKEN
