"""Raises alerts: turns an event (a stored mention, a blind spot, a spike, an SLA clock, a
digest) into one alert per rule that applies, stored for the dispatcher to send."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from monitor.alerts.compose import mention_alert
from monitor.alerts.rules import QuietHours, Rule, RuleBook, not_before
from monitor.config import Settings
from monitor.store.alerts import NewAlert
from monitor.store.db import Database


class Alerter:
    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.rules = RuleBook(settings, db)
        self.quiet = QuietHours.parse(settings.alerting.quiet_hours, settings.locale.zone)
        # The dispatcher of this process, told when something was raised so it sends at once.
        self.on_raised: Callable[[], None] = lambda: None

    def alert(
        self,
        rule: Rule,
        *,
        key: str,
        now: datetime,
        subject: str,
        body: str,
        link: str | None = None,
        data: dict[str, Any] | None = None,
        mention_id: int | None = None,
        source_id: int | None = None,
    ) -> NewAlert:
        return NewAlert(
            key=f"{key}|{rule.name}",
            event=rule.event,
            rule=rule.name,
            subject=subject,
            body=body,
            targets=rule.notify,
            not_before=not_before(rule, now, self.quiet),
            link=link,
            mention_id=mention_id,
            source_id=source_id,
            urgent=rule.urgent,
            data=data or {},
        )

    def for_event(
        self, event: str, match: Mapping[str, Any], *, key: str, now: datetime, **content: Any
    ) -> list[NewAlert]:
        """One alert per rule for this event that `match` (brand, category, source, team,
        priority) falls under; `content` as `alert` takes it."""
        return [
            self.alert(rule, key=key, now=now, **content)
            for rule in self.rules.matching(event, **match)
        ]

    def raised(self) -> None:
        self.on_raised()

    def for_mentions(
        self, rows: Sequence[Mapping[str, Any]], source_name: str, now: datetime
    ) -> list[NewAlert]:
        """The alerts new mentions call for (rows as stored, with their ids)."""
        alerts: list[NewAlert] = []
        for row in rows:
            match = {"category": row["category"], "brand": row["brand"], "source": source_name,
                     "team": row["team"], "priority": row["priority"]}  # fmt: skip
            if not self.rules.matching("mention", **match):
                continue
            content = mention_alert(self.settings, row, source_name)
            alerts += self.for_event(
                "mention", match, key=f"mention:{row['id']}", now=now, mention_id=row["id"],
                **content,
            )  # fmt: skip
        return alerts
