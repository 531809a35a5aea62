"""Template helpers: times, labels and match highlighting (always as escaped segments)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import get_day_names, get_month_names
from flask import Flask
from flask_babel import get_locale
from flask_login import current_user

from monitor.names import STATUSES
from monitor.sla import remaining_parts
from monitor.store.notes import mention_spans
from webui.badges import category_badge, priority_dot
from webui.catalogue import gettext as _
from webui.labels import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    LANE_LABELS,
    REASON_LABELS,
    ROLE_LABELS,
    SOURCE_STATE_LABELS,
    STATUS_LABELS,
    label,
)
from webui.rows import row_words


def ago(moment: datetime | None, now: datetime | None = None) -> str:
    if moment is None:
        return _("never")
    seconds = int(((now or datetime.now(UTC)) - moment).total_seconds())
    if seconds < 0:
        return _("just now") if seconds > -60 else moment.strftime("%Y-%m-%d %H:%M")
    if seconds < 60:
        return _("just now")
    return _("%(span)s ago", span=_largest_unit(seconds))


def _largest_unit(seconds: int) -> str:
    """5 d, 3 h, 12 min or 40 s: the largest unit that fits, rounded down."""
    if seconds >= 86400:
        return _("%(num)d d", num=seconds // 86400)
    if seconds >= 3600:
        return _("%(num)d h", num=seconds // 3600)
    if seconds >= 60:
        return _("%(num)d min", num=seconds // 60)
    return _("%(num)d s", num=seconds)


def segments(text: str, hits: list[dict[str, Any]], field: str) -> list[tuple[str, bool]]:
    """Split text into (piece, highlighted) pairs for the hits in one field; overlaps merge."""
    spans = sorted(
        (h["start"], h["end"])
        for h in hits or ()
        if h.get("field") == field and 0 <= h.get("start", -1) < h.get("end", -1) <= len(text)
    )
    out: list[tuple[str, bool]] = []
    position = 0
    for start, end in spans:
        if end <= position:
            continue
        start = max(start, position)
        if start > position:
            out.append((text[position:start], False))
        out.append((text[start:end], True))
        position = end
    if position < len(text):
        out.append((text[position:], False))
    return out


def note_segments(body: str, mentioned: list[str]) -> list[tuple[str, bool]]:
    """A note as (piece, is_an_@mention) pairs, for the colleagues it actually mentions."""
    names = {name.lower() for name in mentioned}
    if not names:
        return [(body, False)]
    out: list[tuple[str, bool]] = []
    position = 0
    for start, end, name in mention_spans(body):
        if name.lower() not in names:
            continue
        if start > position:
            out.append((body[position:start], False))
        out.append((body[start:end], True))
        position = end
    if position < len(body):
        out.append((body[position:], False))
    return out


def due(moment: datetime | None, now: datetime | None = None) -> str:
    """'in 2 h', 'in 25 min' or 'overdue 10 min' for a deadline."""
    if moment is None:
        return ""
    seconds = int((moment - (now or datetime.now(UTC))).total_seconds())
    span = _largest_unit(max(60, abs(seconds)))
    return _("in %(span)s", span=span) if seconds >= 0 else _("overdue %(span)s", span=span)


def duration(seconds: float | None) -> str:
    """A check interval for people: 45 s, 5 min, 2 h 30 min, 1 d."""
    if not seconds:
        return "—"
    total = round(seconds)
    if total < 120:
        return _("%(num)d s", num=total)
    if total < 7200:
        return _("%(num)d min", num=round(total / 60))
    if total < 2 * 86400:
        hours, minutes = divmod(round(total / 60), 60)
        if not minutes:
            return _("%(num)d h", num=hours)
        return _("%(hours)d h %(minutes)d min", hours=hours, minutes=minutes)
    return _("%(num)d d", num=round(total / 86400))


def remaining(seconds: float) -> str:
    """monitor.sla.human_remaining in the page's language: "2 h 05 min left"."""
    days, hours, minutes = remaining_parts(seconds)
    if days:
        amount = _("%(days)d d %(hours)d h", days=days, hours=hours)
    elif hours:
        amount = _("%(hours)d h %(minutes)02d min", hours=hours, minutes=minutes)
    else:
        amount = _("%(num)d min", num=minutes)
    return _("%(span)s late", span=amount) if seconds < 0 else _("%(span)s left", span=amount)


# strftime's names of days and months, which are English whatever the page's language: the
# Babel lookup, its width, and whether it is indexed by weekday (else by month).
_NAMED: dict[str, tuple[Any, Literal["abbreviated", "wide"], bool]] = {
    "%A": (get_day_names, "wide", True),
    "%a": (get_day_names, "abbreviated", True),
    "%B": (get_month_names, "wide", False),
    "%b": (get_month_names, "abbreviated", False),
}


def local_time(moment: datetime, zone: ZoneInfo, fmt: str) -> str:
    """strftime in the zone, with the names of days and months in the page's language."""
    moment = moment.astimezone(zone)
    locale = get_locale()
    if locale is not None and locale.language != "en" and "%" in fmt:
        for code, (names, width, index) in _NAMED.items():
            if code in fmt:
                name = names(width, locale=locale)[moment.weekday() if index else moment.month]
                fmt = fmt.replace(code, name.replace("%", "%%"))
    return moment.strftime(fmt)


def viewer_zone(app: Flask) -> ZoneInfo:
    chosen = getattr(current_user, "timezone", None)
    if chosen:
        try:
            return ZoneInfo(chosen)
        except (ZoneInfoNotFoundError, ValueError):
            pass  # a zone this machine no longer knows: the organisation's
    zone: ZoneInfo = app.extensions["webcare.settings"].locale.zone
    return zone


def init_app(app: Flask) -> None:
    app.add_template_filter(ago, "ago")
    app.add_template_filter(remaining, "remaining")
    app.add_template_filter(duration, "duration")
    app.add_template_filter(due, "due")

    @app.template_filter("local")
    def local(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        """A time in the zone of the person looking, or else the organisation's."""
        if moment is None:
            return ""
        return local_time(moment, viewer_zone(app), fmt)

    app.add_template_filter(lambda c: label(CATEGORY_LABELS, c), "category_label")
    app.add_template_filter(lambda t: label(LANE_LABELS, t), "team_label")
    app.add_template_filter(lambda s: label(STATUS_LABELS, s), "status_label")
    app.add_template_filter(lambda r: label(ROLE_LABELS, r), "role_label")
    app.add_template_filter(lambda c: label(CHANNEL_LABELS, c), "channel_label")
    app.add_template_filter(lambda s: label(SOURCE_STATE_LABELS, s), "source_state_label")
    app.add_template_filter(lambda r: label(REASON_LABELS, r), "status_reason")
    app.add_template_filter(lambda s: str(s).replace("_", " "), "humanise")
    app.add_template_global(segments, "segments")
    app.add_template_global(priority_dot, "priority_dot")
    app.add_template_global(category_badge, "category_badge")
    app.add_template_global(row_words, "row_words")
    app.add_template_global(note_segments, "note_segments")
    app.context_processor(lambda: {"now": datetime.now(UTC)})
    app.jinja_env.globals["STATUSES"] = STATUSES
    app.add_template_filter(_as_dict, "attr_dict")


def _as_dict(hit: Any) -> dict[str, Any]:
    """A Hit as the dict shape stored on mentions, so one highlighter serves both."""
    return {"term": hit.term, "field": hit.field, "start": hit.start, "end": hit.end}
