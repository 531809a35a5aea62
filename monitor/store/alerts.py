"""Alerts and their deliveries: raised once per key, claimed in groups with leases, retried with
backoff, and kept when they fail so that a person sees them."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from monitor.errors import WebcareError
from monitor.store.bulk import insert_ignoring_conflicts
from monitor.store.models import Alert, AlertDelivery, AlertRule, Source, utcnow

PENDING, SENT, FAILED = "pending", "sent", "failed"
MAX_RETRY_WAIT = 3600.0


@dataclass(frozen=True)
class NewAlert:
    key: str
    event: str
    rule: str
    subject: str
    body: str
    targets: tuple[str, ...]
    not_before: datetime
    link: str | None = None
    mention_id: int | None = None
    source_id: int | None = None
    urgent: bool = False
    data: dict[str, Any] = field(default_factory=dict)


def raise_alerts(session: Session, alerts: Sequence[NewAlert], now: datetime) -> list[int]:
    """Store alerts and one delivery per target; a key raised before (by any worker) is skipped.
    Returns the ids of the alerts that are new."""
    if not alerts:
        return []
    rows = [
        {"key": a.key[:200], "event": a.event, "rule": a.rule, "mention_id": a.mention_id,
         "source_id": a.source_id, "subject": a.subject, "body": a.body, "link": a.link,
         "data": a.data, "urgent": a.urgent, "created_at": now}
        for a in alerts
    ]  # fmt: skip
    written = dict(
        insert_ignoring_conflicts(session, Alert, rows, conflict=["key"], returning=["key", "id"])
    )
    deliveries = [
        {"alert_id": written[a.key[:200]], "rule": a.rule, "target": target, "status": PENDING,
         "attempts": 0, "next_attempt_at": a.not_before, "created_at": now}
        for a in alerts
        if a.key[:200] in written
        for target in dict.fromkeys(a.targets)
    ]  # fmt: skip
    insert_ignoring_conflicts(session, AlertDelivery, deliveries, conflict=["alert_id", "target"])
    return list(written.values())


def _claimable(now: datetime) -> Any:
    return (AlertDelivery.status == PENDING) & or_(
        AlertDelivery.lease_expires_at.is_(None), AlertDelivery.lease_expires_at < now
    )


def due_groups(session: Session, now: datetime) -> list[tuple[str, str]]:
    """(rule, target) pairs with at least one delivery due now and not held by a sender."""
    query = (
        select(AlertDelivery.rule, AlertDelivery.target)
        .where(_claimable(now), AlertDelivery.next_attempt_at <= now)
        .group_by(AlertDelivery.rule, AlertDelivery.target)
        .order_by(func.min(AlertDelivery.next_attempt_at))
    )
    return [(rule, target) for rule, target in session.execute(query)]


def next_due(session: Session) -> datetime | None:
    return session.scalar(
        select(func.min(AlertDelivery.next_attempt_at)).where(AlertDelivery.status == PENDING)
    )


def claim_group(
    session: Session,
    rule: str,
    target: str,
    *,
    owner: str,
    now: datetime,
    lease_seconds: float = 120.0,
    limit: int = 200,
) -> list[AlertDelivery]:
    """Lease every pending delivery of the group, due or not yet: they go out as one message.
    Rows another sender holds are skipped (FOR UPDATE SKIP LOCKED on PostgreSQL)."""
    query = (
        select(AlertDelivery)
        .where(_claimable(now), AlertDelivery.rule == rule, AlertDelivery.target == target)
        .order_by(AlertDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=AlertDelivery)
    )
    claimed = list(session.scalars(query).unique())
    expires = now + timedelta(seconds=lease_seconds)
    for delivery in claimed:
        delivery.lease_owner = owner
        delivery.lease_expires_at = expires
    session.flush()
    return claimed


def record_sent(
    session: Session, ids: Sequence[int], *, owner: str, message_id: str, now: datetime
) -> None:
    session.execute(
        update(AlertDelivery)
        .where(AlertDelivery.id.in_(ids), AlertDelivery.lease_owner == owner)
        .values(status=SENT, sent_at=now, message_id=message_id, lease_owner=None,
                lease_expires_at=None, attempts=AlertDelivery.attempts + 1, last_error=None)
    )  # fmt: skip


def retry_wait(attempts: int, backoff: float) -> float:
    """Doubling waits with jitter, so that a receiver coming back is not hit by all at once."""
    wait = min(backoff * 2 ** max(attempts - 1, 0), MAX_RETRY_WAIT)
    return wait * random.uniform(0.8, 1.2)


def record_failure(
    session: Session,
    ids: Sequence[int],
    *,
    owner: str,
    error: str,
    now: datetime,
    max_attempts: int,
    backoff: float,
    permanent: bool = False,
) -> None:
    for delivery in session.scalars(
        select(AlertDelivery).where(AlertDelivery.id.in_(ids), AlertDelivery.lease_owner == owner)
    ):
        delivery.attempts += 1
        delivery.last_error = error[:2000]
        delivery.lease_owner = None
        delivery.lease_expires_at = None
        if permanent or delivery.attempts >= max_attempts:
            delivery.status = FAILED
        else:
            delivery.next_attempt_at = now + timedelta(
                seconds=retry_wait(delivery.attempts, backoff)
            )


def retry_failed(session: Session, ids: Sequence[int] | None = None) -> int:
    """A person asked to try failed deliveries again (all of them, or the given ones)."""
    query = update(AlertDelivery).where(AlertDelivery.status == FAILED)
    if ids is not None:
        query = query.where(AlertDelivery.id.in_(ids))
    result = session.execute(query.values(status=PENDING, next_attempt_at=utcnow(), attempts=0))
    return int(getattr(result, "rowcount", 0) or 0)


def pending_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).where(AlertDelivery.status == PENDING)) or 0)


def failed_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).where(AlertDelivery.status == FAILED)) or 0)


def recent_deliveries(
    session: Session, *, status: str | None = None, limit: int = 200
) -> list[AlertDelivery]:
    query = select(AlertDelivery).order_by(AlertDelivery.id.desc()).limit(limit)
    if status:
        query = query.where(AlertDelivery.status == status)
    return list(session.scalars(query).unique())


def alert_exists(session: Session, key_prefix: str) -> bool:
    """Was an alert raised whose key starts so (for any rule)?"""
    query = select(Alert.id).where(Alert.key.startswith(key_prefix, autoescape=True)).limit(1)
    return session.scalar(query) is not None


def sources_reported_down(session: Session) -> list[tuple[int, str, str]]:
    """Sources whose latest blind-spot alert said "down": (source id, name, that alert's key
    without its rule)."""
    rows = session.execute(
        select(Alert.source_id, Source.name, Alert.key)
        .join(Source, Source.id == Alert.source_id)
        .where(Alert.event == "blind_spot")
        .order_by(Alert.id)
    )
    latest: dict[int, tuple[str, str]] = {}
    for source_id, name, key in rows:
        if source_id is not None:  # the join makes it so; the type cannot tell
            latest[source_id] = (name, key)
    down = [(id_, name, key) for id_, (name, key) in latest.items() if "|recovered|" not in key]
    return [(id_, name, key.rsplit("|", 1)[0]) for id_, name, key in down]


def page_rules(session: Session) -> list[AlertRule]:
    return list(session.scalars(select(AlertRule).order_by(AlertRule.name)))


def add_page_rule(session: Session, name: str, settings: dict[str, Any], *, actor: str) -> None:
    if session.scalar(select(AlertRule.id).where(AlertRule.name == name)) is not None:
        raise WebcareError(f"a rule named {name!r} exists already")
    session.add(AlertRule(name=name, settings=settings, created_by=actor))


def set_page_rule_enabled(session: Session, rule_id: int, enabled: bool) -> str:
    rule = session.get(AlertRule, rule_id)
    if rule is None:
        raise WebcareError(f"there is no alert rule {rule_id}")
    rule.enabled = enabled
    return rule.name


def delete_page_rule(session: Session, rule_id: int) -> str:
    rule = session.get(AlertRule, rule_id)
    if rule is None:
        raise WebcareError(f"there is no alert rule {rule_id}")
    session.delete(rule)
    return rule.name
