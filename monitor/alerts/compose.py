"""The words of an alert: one per mention, blind spot, spike, SLA clock or digest, and the
message that carries several of them at once."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from monitor.config import Settings
from monitor.names import CATEGORY_LABELS, TEAM_LABELS

MAX_TEXT = 1200
EVENT_NOUNS = {
    "sla": "items about to breach or breaching their SLA",
    "blind_spot": "changes in source health",
    "spike": "spike alerts",
    "digest": "digests",
    "note": "notes that mention you",
}
MAX_LISTED = 10
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean(text: str, limit: int = MAX_TEXT) -> str:
    """Feed text as it may appear in a message: no control characters, bounded, and no chat
    commands (Slack's <!channel>, Teams' <at>) that would page a whole workspace."""
    text = _CONTROL.sub("", text or "").replace("<!", "< !").replace("<at>", "< at>")
    text = re.sub(r"[ \t]+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def base_url(settings: Settings) -> str:
    if settings.web.public_url:
        return settings.web.public_url.rstrip("/")
    host = settings.web.host if settings.web.host not in ("0.0.0.0", "::") else "localhost"  # noqa: S104
    return f"http://{host}:{settings.web.port}"


def local_time(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%a %d %b %H:%M")


def mention_alert(settings: Settings, row: Mapping[str, Any], source_name: str) -> dict[str, Any]:
    """Subject, body, link and data for a new mention (a row as the pipeline stores it)."""
    category = row["category"]
    label = CATEGORY_LABELS.get(category, category)
    zone = settings.locale.zone
    deadline: datetime | None = row.get("deadline_at")
    subject = f"{label} about {row['brand']}"
    if deadline is not None:
        subject += f", deadline {local_time(deadline, zone)}"
    title = clean(row.get("title") or "", 300)
    text = clean(row.get("text") or "")
    lines = [title] if title and not text.startswith(title[:60]) else []
    lines += [text, ""]
    if deadline is not None:
        phrase = clean(row.get("deadline_phrase") or "", 200)
        lines.append(f"Deadline: {local_time(deadline, zone)} (from “{phrase}”)")
    lines += [
        f"Source: {source_name}" + (f" · {clean(row['author'], 200)}" if row.get("author") else ""),
        f"Category: {label} ({row['confidence']:.0%}) · priority {row['priority']} · "
        f"team {TEAM_LABELS.get(row['team'], row['team'])}",
    ]
    if row.get("url"):
        lines.append(f"Original: {row['url']}")
    link = f"{base_url(settings)}/mentions/{row['id']}"
    lines.append(f"In webcare: {link}")
    data = {
        "mention_id": row["id"],
        "brand": row["brand"],
        "category": category,
        "confidence": round(float(row["confidence"]), 4),
        "priority": row["priority"],
        "team": row["team"],
        "source": source_name,
        "url": row.get("url"),
        "title": title,
        "text": text,
        "deadline_at": deadline.isoformat() if deadline else None,
    }
    return {"subject": subject, "body": "\n".join(lines), "link": link, "data": data}


def combined(alerts: Sequence[Mapping[str, Any]], settings: Settings) -> tuple[str, str]:
    """One message for several alerts of one rule: what they share, then each in a line."""
    if len(alerts) == 1:
        return alerts[0]["subject"], alerts[0]["body"]
    events = {a["event"] for a in alerts}
    categories = {a["data"].get("category") for a in alerts}
    brands = {a["data"].get("brand") for a in alerts}
    if events == {"mention"} and len(categories) == 1:
        label = CATEGORY_LABELS.get(str(next(iter(categories))), "mention").lower()
        subject = f"{len(alerts)} new {label}s"
        if len(brands) == 1:
            subject += f" about {next(iter(brands))}"
    elif len(events) == 1 and next(iter(events)) in EVENT_NOUNS:
        subject = f"{len(alerts)} {EVENT_NOUNS[next(iter(events))]}"
    else:
        subject = f"{len(alerts)} alerts: {alerts[0]['subject']}, …"
    lines = []
    for alert in alerts[:MAX_LISTED]:
        excerpt = clean(alert["data"].get("text") or "", 160)
        lines.append(f"• {alert['subject']}" + (f": {excerpt}" if excerpt else ""))
        if alert.get("link"):
            lines.append(f"  {alert['link']}")
    if len(alerts) > MAX_LISTED:
        lines.append(f"… and {len(alerts) - MAX_LISTED} more: {base_url(settings)}/")
    return subject, "\n".join(lines)
