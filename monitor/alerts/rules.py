"""Who hears about what: the rules from the config file and from the admin page, as one list."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as clock
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import select

from monitor.config import AlertSettings, Settings, settings_from_mapping
from monitor.store.db import Database
from monitor.store.models import AlertRule

# Events that are one alert each by nature: grouping them would only delay them.
UNGROUPED_EVENTS = ("spike", "blind_spot", "digest")
RELOAD_EVERY = 15.0


@dataclass(frozen=True)
class Rule:
    name: str
    event: str
    notify: tuple[str, ...]
    group: float
    quiet_hours: bool
    category: str | None = None
    brand: str | None = None
    source: str | None = None
    team: str | None = None
    min_priority: int = 0

    @property
    def urgent(self) -> bool:
        return not self.quiet_hours and self.group == 0

    def applies(
        self,
        event: str,
        *,
        category: str | None = None,
        brand: str | None = None,
        source: str | None = None,
        team: str | None = None,
        priority: int | None = None,
    ) -> bool:
        """Does an event with these properties fall under this rule? A property the event does
        not have (None) passes every filter, so a team's digest reaches a rule for that team."""
        if event != self.event:
            return False
        wanted = (
            (self.category, category),
            (self.brand, brand),
            (self.source, source),
            (self.team, team),
        )
        if any(want is not None and have is not None and want != have for want, have in wanted):
            return False
        return priority is None or priority >= self.min_priority


def rule_from(name: str, config: AlertSettings, default_group: float) -> Rule:
    urgent = config.urgent
    group = config.group
    if group is None:
        group = 0.0 if urgent or config.event in UNGROUPED_EVENTS else default_group
    quiet = config.quiet_hours if config.quiet_hours is not None else not urgent
    return Rule(
        name=name,
        event=config.event,
        notify=config.notify,
        group=group,
        quiet_hours=quiet,
        category=config.category,
        brand=config.brand,
        source=config.source,
        team=config.team,
        min_priority=config.min_priority,
    )


PR_OFFICERS = Rule(
    name="pr-officers",
    event="mention",
    notify=("role:pr_officer",),
    group=0.0,
    quiet_hours=False,
    category="journalist_inquiry",
)


def config_rules(settings: Settings) -> list[Rule]:
    rules = [
        rule_from(settings.alert_name(i), config, settings.alerting.group)
        for i, config in enumerate(settings.alerts)
    ]
    if settings.mail.host and settings.alerting.notify_pr_officers:
        rules.append(PR_OFFICERS)
    return rules


def parse_rule(settings: Settings, data: Mapping[str, Any]) -> AlertSettings:
    """A rule from the admin page, checked exactly like one in the config file."""
    config = AlertSettings.model_validate(dict(data))
    # The file's cross-checks (known brands, sources, webhooks) apply to page rules too.
    settings_from_mapping(
        {**settings.model_dump(exclude={"config_path"}), "alerts": [config.model_dump()]}
    )
    return config


def page_rule(row: AlertRule, settings: Settings) -> Rule | None:
    """A rule made on the admin page; None if it no longer passes the checks (it was checked
    when saved, and a later change of code must not stop all alerts)."""
    try:
        config = AlertSettings.model_validate(row.settings)
    except ValidationError:
        return None
    return rule_from(row.name, config, settings.alerting.group)


class RuleBook:
    """The live rules. Page rules are read again every few seconds, so that a rule made on the
    admin page reaches every worker without a restart."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self._fixed = config_rules(settings)
        self._loaded: list[Rule] = []
        self._loaded_at = -RELOAD_EVERY
        self._lock = threading.Lock()

    def rules(self) -> list[Rule]:
        with self._lock:
            if time.monotonic() - self._loaded_at >= RELOAD_EVERY:
                self._loaded = self._page_rules()
                self._loaded_at = time.monotonic()
            return [*self._fixed, *self._loaded]

    def _page_rules(self) -> list[Rule]:
        with self.db.read() as session:
            stored = list(session.scalars(select(AlertRule).where(AlertRule.enabled)))
        found = (page_rule(row, self.settings) for row in stored)
        return [rule for rule in found if rule is not None]

    def matching(self, event: str, **properties: Any) -> list[Rule]:
        return [rule for rule in self.rules() if rule.applies(event, **properties)]


@dataclass(frozen=True)
class QuietHours:
    """A daily period ("22:00-07:00", may cross midnight) in the organisation's time zone."""

    start: clock
    end: clock
    zone: ZoneInfo

    @classmethod
    def parse(cls, spec: str, zone: ZoneInfo) -> QuietHours | None:
        if not spec:
            return None
        first, _, last = spec.partition("-")
        return cls(clock.fromisoformat(first), clock.fromisoformat(last), zone)

    def ends_after(self, now: datetime) -> datetime | None:
        """When the quiet period that holds `now` ends, or None when it is not quiet."""
        local = now.astimezone(self.zone)
        today = local.time().replace(tzinfo=None)
        wraps = self.start > self.end
        inside = (
            (today >= self.start or today < self.end) if wraps else (self.start <= today < self.end)
        )
        if not inside:
            return None
        day = local.date()
        if wraps and today >= self.start:
            day += timedelta(days=1)
        return datetime.combine(day, self.end, tzinfo=self.zone)


def not_before(rule: Rule, now: datetime, quiet: QuietHours | None) -> datetime:
    """When an alert of this rule raised now may go out: after its grouping window, and not
    during quiet hours unless the rule ignores them."""
    due = now + timedelta(seconds=rule.group)
    if rule.quiet_hours and quiet is not None:
        end = quiet.ends_after(due)
        if end is not None:
            due = end
    return due
