"""The periodic checks that raise alerts: blind spots, spikes, SLA clocks and the daily digest.
They run as one periodic job, once across all workers; alert keys make a repeat harmless."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from monitor.alerts.alerter import Alerter
from monitor.alerts.compose import base_url, clean, local_time
from monitor.alerts.spikes import SpikeRule, Verdict, baseline_windows, examples, judge, top_terms
from monitor.config import Settings
from monitor.names import CATEGORY_LABELS, TEAM_LABELS, TEAMS
from monitor.sla import SlaClock, human_remaining, open_clock
from monitor.store import sources as source_store
from monitor.store import spikes as spike_store
from monitor.store.alerts import NewAlert, alert_exists, raise_alerts, sources_reported_down
from monitor.store.db import Database
from monitor.store.models import Spike, utcnow
from monitor.store.reports import OpenItem, TeamPeriod, open_items, team_period, team_texts


def blind_spots(alerter: Alerter, db: Database, now: datetime) -> list[NewAlert]:
    """One alert when a source misses its freshness target, one when it is back."""
    settings = alerter.settings
    link = f"{base_url(settings)}/sources"
    alerts: list[NewAlert] = []
    with db.read() as session:
        spots = source_store.blind_spots(
            session, stale_after=settings.scheduler.stale_after, now=now
        )
        for spot in spots:
            subject = f"{spot.name} is down since {local_time(spot.since, settings.locale.zone)}"
            alerts += alerter.for_event(
                "blind_spot",
                {"source": spot.name},
                key=f"blind_spot:{spot.id}:{spot.since.isoformat()}",
                now=now,
                subject=subject,
                body=f"{subject}: you may be missing mentions.\nLast error: {spot.reason}\n{link}",
                link=link,
                data={
                    "source": spot.name,
                    "state": "down",
                    "since": spot.since.isoformat(),
                    "reason": spot.reason,
                },
                source_id=spot.id,
            )
        down = {spot.id for spot in spots}
        for source_id, name, key in sources_reported_down(session):
            if source_id in down:
                continue
            subject = f"{name} is collecting again"
            alerts += alerter.for_event(
                "blind_spot",
                {"source": name},
                key=f"{key}|recovered",
                now=now,
                subject=subject,
                body=f"{subject}; what it missed comes in with its next checks.\n{link}",
                link=link,
                data={"source": name, "state": "recovered"},
                source_id=source_id,
            )
    return alerts


def spikes(alerter: Alerter, db: Database, now: datetime) -> list[NewAlert]:
    """Per brand and category, the last window against the same window on earlier days and
    weeks: one alert when a spike starts, with its top terms and examples, one when it ends."""
    config = alerter.settings.alerting.spike
    rule = SpikeRule(margin=config.margin, min_count=config.min_count, end_ratio=config.end_ratio)
    window = timedelta(seconds=config.window)
    zone = alerter.settings.locale.zone
    # In local time, so that "the same hour yesterday" survives a change of summer time.
    earlier = baseline_windows(now.astimezone(zone), window, config.baseline_days,
                               config.baseline_weeks)  # fmt: skip
    # Counted in a read transaction: most minutes change nothing, and a write transaction
    # would hold SQLite's lock against the collectors for all twelve counts.
    with db.read() as session:
        current = spike_store.counts(session, now - window, now, config.categories)
        history = [spike_store.counts(session, a, b, config.categories) for a, b in earlier]
        open_ = spike_store.open_spikes(session)
    verdicts = []
    for brand, category in sorted({*current, *open_}):
        count = current.get((brand, category), 0)
        spike = open_.get((brand, category))
        before = [h.get((brand, category), 0) for h in history]
        verdict = judge(count, before, rule, active=spike is not None)
        if verdict.state in ("started", "ended") or (spike is not None and count > spike.peak):
            verdicts.append((brand, category, count, verdict))
    alerts: list[NewAlert] = []
    if not verdicts:
        return alerts
    with db.write() as session:
        open_ = spike_store.open_spikes(session)
        for brand, category, count, verdict in verdicts:
            spike = open_.get((brand, category))
            if verdict.state == "started" and spike is None:
                spike = Spike(brand=brand, category=category, started_at=now, peak=count,
                              baseline=verdict.baseline)  # fmt: skip
                session.add(spike)
                session.flush()
                alerts += _spike_started(alerter, session, spike, verdict, now, window, earlier)
            elif verdict.state == "ongoing" and spike is not None:
                spike.peak = max(spike.peak, count)
            elif verdict.state == "ended" and spike is not None:
                spike.ended_at = now
                alerts += _spike_ended(alerter, spike, count, now)
    return alerts


def _spike_started(
    alerter: Alerter,
    session: Session,
    spike: Spike,
    verdict: Verdict,
    now: datetime,
    window: timedelta,
    earlier: list[tuple[datetime, datetime]],
) -> list[NewAlert]:
    settings = alerter.settings
    label = CATEGORY_LABELS.get(spike.category, spike.category).lower()
    minutes = int(window.total_seconds() // 60)
    recent = spike_store.posts(session, spike.brand, spike.category, [(now - window, now)],
                               limit=500)  # fmt: skip
    before = spike_store.posts(session, spike.brand, spike.category, earlier, limit=1000)
    brand_words = [spike.brand, *(b.query for b in settings.brands if b.name == spike.brand)]
    terms = top_terms([t for _, t, _ in recent], [t for _, t, _ in before], ignore=brand_words)
    chosen = examples(recent)
    texts = {id_: text for id_, text, _ in recent}
    base = base_url(settings)
    subject = (
        f"Spike in {label}s about {spike.brand}: {spike.peak} in {minutes} min "
        f"(usually {verdict.baseline:.1f})"
    )
    lines = [subject, ""]
    if terms:
        lines.append("Top terms: " + ", ".join(terms))
    for id_ in chosen:
        lines.append(f"• {clean(texts[id_], 200)}\n  {base}/mentions/{id_}")
    team, _ = settings.routing.team_for(spike.category)
    link = f"{base}/queue/{team}?category={spike.category}"
    lines.append(f"In webcare: {link}")
    data = {"brand": spike.brand, "category": spike.category, "count": spike.peak,
            "baseline": round(verdict.baseline, 2), "terms": terms, "examples": chosen,
            "state": "started"}  # fmt: skip
    return alerter.for_event(
        "spike", {"brand": spike.brand, "category": spike.category},
        key=f"spike:{spike.id}:started", now=now, subject=subject, body="\n".join(lines),
        link=link, data=data,
    )  # fmt: skip


def _spike_ended(alerter: Alerter, spike: Spike, count: int, now: datetime) -> list[NewAlert]:
    label = CATEGORY_LABELS.get(spike.category, spike.category).lower()
    zone = alerter.settings.locale.zone
    subject = f"All clear: the spike in {label}s about {spike.brand} is over"
    body = (
        f"{subject}. It started {local_time(spike.started_at, zone)} and peaked at {spike.peak}; "
        f"now {count}, against a usual {spike.baseline:.1f}."
    )
    data = {"brand": spike.brand, "category": spike.category, "state": "ended", "peak": spike.peak}
    return alerter.for_event(
        "spike", {"brand": spike.brand, "category": spike.category},
        key=f"spike:{spike.id}:ended", now=now, subject=subject, body=body, data=data,
    )  # fmt: skip


def digests(alerter: Alerter, db: Database, now: datetime) -> list[NewAlert]:
    """Once a day, from [alerting.digest] at, per team: what came in, what is open, the themes."""
    settings = alerter.settings
    at = settings.alerting.digest.at
    zone = settings.locale.zone
    local = now.astimezone(zone)
    if not at or local.time() < time.fromisoformat(at):
        return []
    alerts: list[NewAlert] = []
    day = local.date().isoformat()
    with db.read() as session:
        teams = [
            team
            for team in TEAMS
            if alerter.rules.matching("digest", team=team)
            and not alert_exists(session, f"digest:{team}:{day}|")
        ]
        clocks = (
            _open_clocks(settings, open_items(session, now - SLA_HORIZON), now) if teams else []
        )
        for team in teams:
            breached = sum(1 for i, c in clocks if i.team == team and c.state == "breached")
            since = now - timedelta(days=1)
            report = team_period(session, team, since, now)
            texts = team_texts(session, team, since, now, limit=1000)
            before = team_texts(session, team, now - timedelta(days=8), since, limit=2000)
            themes = top_terms(texts, before, ignore=[b.name for b in settings.brands])
            alerts += alerter.for_event(
                "digest", {"team": team}, key=f"digest:{team}:{day}", now=now,
                subject=f"{TEAM_LABELS[team]}: {report.new} new, {report.open} open, "
                f"{breached} past their SLA ({local.strftime('%a %d %b')})",
                body=_digest_body(settings, report, breached, themes, zone),
                link=f"{base_url(settings)}/queue/{team}",
                data={"team": team, "new": report.new, "open": report.open,
                      "resolved": report.resolved, "breached": breached,
                      "by_category": report.new_by_category,
                      "themes": themes},
            )  # fmt: skip
    return alerts


def _digest_body(
    settings: Settings, report: TeamPeriod, breached: int, themes: list[str], zone: ZoneInfo
) -> str:
    lines = [f"In the last 24 hours: {report.new} new, {report.resolved} resolved."]
    for category, count in sorted(report.new_by_category.items(), key=lambda kv: -kv[1]):
        lines.append(f"  {CATEGORY_LABELS.get(category, category)}: {count}")
    lines.append(f"Open now: {report.open}, of which {breached} past their SLA")
    if report.oldest_open is not None:
        lines.append(f"Oldest open since {local_time(report.oldest_open, zone)}")
    if themes:
        lines.append("Themes: " + ", ".join(themes))
    lines.append(f"Queue: {base_url(settings)}/queue/{report.team}")
    return "\n".join(lines)


# Open items older than this are left to the queue: their breach was told long ago.
SLA_HORIZON = timedelta(days=30)


def sla(alerter: Alerter, db: Database, now: datetime) -> list[NewAlert]:
    """An alert when an open item's clock passes the warning share of its target, and one when
    it breaches; a journalist's deadline replaces the target."""
    settings = alerter.settings
    if not any(rule.event == "sla" for rule in alerter.rules.rules()):
        return []
    base = base_url(settings)
    alerts: list[NewAlert] = []
    with db.read() as session:
        items = open_items(session, now - SLA_HORIZON)
    for item, clock in _open_clocks(settings, items, now):
        if clock.state in ("warning", "breached"):
            alerts += _sla_alert(alerter, item, clock, base, now)
    return alerts


def _open_clocks(
    settings: Settings, items: list[OpenItem], now: datetime
) -> list[tuple[OpenItem, SlaClock]]:
    hours = settings.business_hours()
    found = []
    for item in items:
        clock = open_clock(
            target=settings.sla.target(item.category, item.source), hours=hours,
            started_at=item.collected_at, first_response_at=item.first_response_at, now=now,
            warn_at=settings.sla.warn_at, deadline_at=item.deadline_at,
        )  # fmt: skip
        if clock is not None:
            found.append((item, clock))
    return found


def _sla_alert(
    alerter: Alerter, item: OpenItem, clock: SlaClock, base: str, now: datetime
) -> list[NewAlert]:
    zone = alerter.settings.locale.zone
    label = CATEGORY_LABELS.get(item.category, item.category)
    what = "first response" if clock.kind == "first_response" else "resolution"
    verb = "breached" if clock.state == "breached" else "about to breach"
    subject = f"SLA {verb}: {what} of a {label.lower()} about {item.brand}"
    link = f"{base}/mentions/{item.id}"
    body = "\n".join([
        subject, clean(item.title, 200), "",
        f"Due {local_time(clock.due_at, zone)} ({human_remaining(clock.remaining)})",
        f"Team: {TEAM_LABELS.get(item.team, item.team)} · source {item.source} · "
        f"priority {item.priority}",
        f"In webcare: {link}",
    ])  # fmt: skip
    match = {"category": item.category, "brand": item.brand, "source": item.source,
             "team": item.team, "priority": item.priority}  # fmt: skip
    data = {"mention_id": item.id, "kind": clock.kind, "state": clock.state,
            "due_at": clock.due_at.isoformat(), "team": item.team, "category": item.category,
            "brand": item.brand}  # fmt: skip
    return alerter.for_event(
        "sla", match, key=f"sla:{item.id}:{clock.kind}:{clock.state}", now=now,
        subject=subject, body=body, link=link, data=data, mention_id=item.id,
    )  # fmt: skip


def run_checks(alerter: Alerter, db: Database, now: datetime | None = None) -> str:
    now = now or utcnow()
    alerts = (
        blind_spots(alerter, db, now)
        + spikes(alerter, db, now)
        + digests(alerter, db, now)
        + sla(alerter, db, now)
    )
    new = 0
    if alerts:
        with db.write() as session:
            new = len(raise_alerts(session, alerts, now))
    if not new:
        return "nothing to raise"
    alerter.raised()
    return f"{new} alert(s) raised"
