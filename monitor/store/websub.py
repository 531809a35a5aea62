"""WebSub subscriptions table: what to ask hubs, what they answered, what they pushed.

One row per source. Its state:
  requested      we want pushes; the websub job sends hub.mode=subscribe (lease_seconds is
                 None until it first did, then the lease asked for)
  active         the hub verified our intent; expires_at is the lease's end, renewed before it
  unsubscribing  the source no longer wants pushes; the job sends hub.mode=unsubscribe
  unsubscribed   the hub verified the unsubscribe, or the lease ran out meanwhile
  expired        the lease ran out without a verified renewal; the next check asks again
  denied         the hub refused; expires_at is when the next check may ask again
requested_at is when the job last sent a request for the row (or when it was created).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from monitor.store.events import record_event
from monitor.store.models import Source, WebSubSubscription

REQUESTED, ACTIVE, UNSUBSCRIBING = "requested", "active", "unsubscribing"
UNSUBSCRIBED, EXPIRED, DENIED = "unsubscribed", "expired", "denied"

# The lease asked of hubs, and the longest one believed (a forged verification cannot slow a
# source's polling down for longer than this).
LEASE_SECONDS = 10 * 86400
MAX_LEASE_SECONDS = 30 * 86400
# Renewals go out this long before the lease ends (half the lease for short ones).
RENEW_BEFORE = 86400.0
# A request the hub neither refused nor verified within this time is sent again.
RESEND_AFTER = 3600.0
# A hub that denied a subscription is asked again after this long, not at every check.
DENIED_PAUSE = 86400.0


@dataclass(frozen=True)
class HubRequest:
    """One request the websub job sends to a hub, read out of its transaction."""

    subscription_id: int
    source_id: int
    mode: str  # subscribe or unsubscribe
    hub: str
    topic: str
    secret: str
    lease_seconds: int
    allow_private: bool | None


@dataclass(frozen=True)
class PushTarget:
    """What a push to a source's callback is checked and read against."""

    source_id: int
    source_name: str
    state: str
    topic: str
    secret: str
    wanted: bool


def wants_push(source: Source) -> bool:
    """Only an active source with websub switched on takes pushes."""
    return source.state == "active" and bool((source.options or {}).get("websub"))


def subscription_for(session: Session, source_id: int) -> WebSubSubscription | None:
    return session.scalar(
        select(WebSubSubscription).where(WebSubSubscription.source_id == source_id)
    )


def subscriptions_by_source(session: Session) -> dict[int, WebSubSubscription]:
    return {s.source_id: s for s in session.scalars(select(WebSubSubscription))}


def _set_push_until(session: Session, source_id: int, until: datetime | None) -> None:
    session.execute(update(Source).where(Source.id == source_id).values(push_until=until))


def _needs_request(sub: WebSubSubscription | None, hub: str, topic: str, now: datetime) -> bool:
    if sub is None or (sub.hub_url, sub.topic_url) != (hub, topic):
        return True
    if sub.state in (ACTIVE, REQUESTED):
        return False
    if sub.state == DENIED:
        return sub.expires_at is None or sub.expires_at <= now
    return True


def note_hub(session: Session, *, source_id: int, hub: str, topic: str, now: datetime) -> None:
    """The feed of a websub source announced this hub and topic: make sure we ask for pushes.

    Called by the collector after each successful check, inside its write transaction.
    """
    sub = subscription_for(session, source_id)
    if not _needs_request(sub, hub, topic, now):
        return
    if sub is None:
        sub = WebSubSubscription(source_id=source_id, pushes=0)
        session.add(sub)
    # A new request gets a new secret: pushes signed for an older one are not ours to trust.
    sub.hub_url, sub.topic_url = hub, topic
    sub.secret = secrets.token_hex(32)
    sub.state = REQUESTED
    sub.lease_seconds = None
    sub.requested_at = now
    sub.verified_at = sub.expires_at = sub.last_error = None
    _set_push_until(session, source_id, None)


def expire_lapsed(session: Session, *, now: datetime) -> int:
    """Leases that ran out: the hub stopped pushing, so polling goes back to full speed."""
    lapsed = session.scalars(
        select(WebSubSubscription).where(
            WebSubSubscription.state.in_((ACTIVE, UNSUBSCRIBING)),
            WebSubSubscription.expires_at <= now,
        )
    ).all()
    for sub in lapsed:
        kind = "websub.expired" if sub.state == ACTIVE else "websub.unsubscribed"
        sub.state = EXPIRED if sub.state == ACTIVE else UNSUBSCRIBED
        _set_push_until(session, sub.source_id, None)
        record_event(session, kind, source_id=sub.source_id, data={"hub": sub.hub_url})
    return len(lapsed)


def _renewal_due(sub: WebSubSubscription, now: datetime) -> bool:
    if sub.expires_at is None:
        return False
    margin = min(RENEW_BEFORE, (sub.lease_seconds or LEASE_SECONDS) / 2)
    if sub.expires_at - now > timedelta(seconds=margin):
        return False
    sent_since_verified = sub.verified_at is not None and sub.requested_at > sub.verified_at
    return not sent_since_verified or _unanswered(sub, now)


def _unanswered(sub: WebSubSubscription, now: datetime) -> bool:
    return sub.requested_at <= now - timedelta(seconds=RESEND_AFTER)


def _due_mode(
    session: Session, sub: WebSubSubscription, source: Source, now: datetime
) -> str | None:
    """subscribe, unsubscribe or None; drops requests the source no longer wants."""
    wanted = wants_push(source)
    if sub.state == REQUESTED and not wanted:
        # Never verified, so nothing to undo at the hub: a late verification now gets a 404.
        sub.state = UNSUBSCRIBED
        return None
    if sub.state == ACTIVE and not wanted:
        sub.state = UNSUBSCRIBING
        _set_push_until(session, sub.source_id, None)
        return "unsubscribe"
    if sub.state == UNSUBSCRIBING:
        return "unsubscribe" if _unanswered(sub, now) else None
    if sub.state == REQUESTED:
        return "subscribe" if sub.lease_seconds is None or _unanswered(sub, now) else None
    return "subscribe" if _renewal_due(sub, now) else None


def due_requests(session: Session, *, now: datetime) -> list[HubRequest]:
    """What hubs must be told now: new subscriptions, retries, renewals and unsubscribes.

    Each is marked as sent at `now` before it goes out, since a hub may verify the intent
    before it answers the request; the job records the answers afterwards (record_answer).
    """
    rows = session.execute(
        select(WebSubSubscription, Source)
        .join(Source, Source.id == WebSubSubscription.source_id)
        .where(WebSubSubscription.state.in_((REQUESTED, ACTIVE, UNSUBSCRIBING)))
        .order_by(WebSubSubscription.id)
    ).all()
    due = []
    for sub, source in rows:
        mode = _due_mode(session, sub, source, now)
        if mode is None:
            continue
        sub.requested_at = now
        if sub.state == REQUESTED:
            sub.lease_seconds = LEASE_SECONDS
        due.append(
            HubRequest(
                subscription_id=sub.id,
                source_id=sub.source_id,
                mode=mode,
                hub=sub.hub_url,
                topic=sub.topic_url,
                secret=sub.secret,
                lease_seconds=LEASE_SECONDS,
                allow_private=(source.options or {}).get("allow_private_addresses"),
            )
        )
    return due


def record_answer(session: Session, request: HubRequest, *, error: str | None) -> None:
    """What the hub said to a request: None when it accepted it, else the reason."""
    session.execute(
        update(WebSubSubscription)
        # A row asked for anew meanwhile (another secret) is not this request's, and a hub that
        # denied before it answered has said more than its answer does.
        .where(
            WebSubSubscription.id == request.subscription_id,
            WebSubSubscription.secret == request.secret,
            WebSubSubscription.state.in_((REQUESTED, ACTIVE, UNSUBSCRIBING)),
        )
        .values(last_error=error)
    )


def record_unsendable(session: Session, *, error: str) -> int:
    """Requests that cannot go out at all (no public URL): say why on each, once."""
    result = session.execute(
        update(WebSubSubscription)
        .where(
            WebSubSubscription.state.in_((REQUESTED, UNSUBSCRIBING)),
            or_(WebSubSubscription.last_error.is_(None), WebSubSubscription.last_error != error),
        )
        .values(last_error=error)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def record_verified(
    session: Session,
    source_id: int,
    *,
    mode: str,
    topic: str,
    lease_seconds: int | None,
    now: datetime,
) -> bool:
    """A hub checks that we asked for this (un)subscription; False: we did not, refuse it."""
    sub = subscription_for(session, source_id)
    if sub is None or sub.topic_url != topic:
        return False
    if mode == "subscribe" and sub.state in (REQUESTED, ACTIVE):
        renewed = sub.state == ACTIVE
        lease = min(max(lease_seconds or sub.lease_seconds or LEASE_SECONDS, 1), MAX_LEASE_SECONDS)
        sub.state, sub.lease_seconds = ACTIVE, lease
        sub.verified_at, sub.expires_at = now, now + timedelta(seconds=lease)
        sub.last_error = None
        _set_push_until(session, source_id, sub.expires_at)
        data = {"hub": sub.hub_url, "topic": topic, "lease_seconds": lease, "renewed": renewed}
        record_event(session, "websub.subscribed", source_id=source_id, data=data)
        return True
    if mode == "unsubscribe" and sub.state == UNSUBSCRIBING:
        sub.state, sub.verified_at = UNSUBSCRIBED, now
        sub.last_error = None
        _set_push_until(session, source_id, None)
        record_event(session, "websub.unsubscribed", source_id=source_id, data={"hub": sub.hub_url})
        return True
    return False


def record_denied(
    session: Session, source_id: int, *, topic: str, reason: str, now: datetime
) -> bool:
    """The hub refused (or ended) the subscription; False when we hold none for that topic."""
    sub = subscription_for(session, source_id)
    if sub is None or sub.topic_url != topic:
        return False
    if sub.state not in (REQUESTED, ACTIVE):
        return True
    sub.state = DENIED
    sub.expires_at = now + timedelta(seconds=DENIED_PAUSE)
    sub.last_error = f"the hub denied the subscription: {reason or 'it gave no reason'}"[:2000]
    _set_push_until(session, source_id, None)
    data = {"hub": sub.hub_url, "topic": topic, "reason": reason}
    record_event(session, "websub.denied", source_id=source_id, data=data)
    return True


def push_target(session: Session, source_id: int) -> PushTarget | None:
    row = session.execute(
        select(WebSubSubscription, Source)
        .join(Source, Source.id == WebSubSubscription.source_id)
        .where(WebSubSubscription.source_id == source_id)
    ).first()
    if row is None:
        return None
    sub, source = row
    return PushTarget(
        source_id=source_id,
        source_name=source.name,
        state=sub.state,
        topic=sub.topic_url,
        secret=sub.secret,
        wanted=wants_push(source),
    )


def record_push(session: Session, source_id: int, *, new_items: int, now: datetime) -> None:
    session.execute(
        update(WebSubSubscription)
        .where(WebSubSubscription.source_id == source_id)
        .values(pushes=WebSubSubscription.pushes + 1, last_push_at=now, last_error=None)
    )
    if new_items:
        session.execute(
            update(Source)
            .where(Source.id == source_id)
            .values(items_collected=Source.items_collected + new_items, last_new_item_at=now)
        )


def record_push_rejected(session: Session, source_id: int, *, error: str) -> None:
    """A push we ignored; the event only for the first of a run, so a flood adds no rows."""
    sub = subscription_for(session, source_id)
    if sub is None or sub.last_error == error:
        return
    sub.last_error = error
    record_event(session, "websub.push_rejected", source_id=source_id, data={"error": error})
