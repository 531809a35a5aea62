"""The dashboard: mentions per day by category, share per source, backlog age, and each team's
service levels, for a chosen number of days."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, render_template, request
from flask_babel import format_date
from flask_babel import gettext as _

from monitor.dashboard import AGE_BANDS, figures
from monitor.names import CATEGORIES, TEAMS
from monitor.store.forwards import ambassadors
from monitor.store.models import utcnow
from webui.auth import queue_access
from webui.charts import horizontal_bars, stacked_columns
from webui.context import get_db, get_settings
from webui.labels import CATEGORY_LABELS, LANE_LABELS, N_, label

bp = Blueprint("dashboard", __name__)
# What people read for monitor.dashboard.AGE_BANDS (a band without one shows its own name).
BAND_LABELS = {"under 1 h": N_("under 1 h"), "1–4 h": N_("1–4 h"), "4–24 h": N_("4–24 h"),
               "1–3 days": N_("1–3 days"), "over 3 days": N_("over 3 days")}  # fmt: skip
PERIODS = (7, 14, 30, 90)
TOP_SOURCES = 10


@bp.route("/dashboard")
@queue_access
def index() -> Any:
    days = request.args.get("days", 14, type=int)
    if days not in PERIODS:
        abort(400, f"Choose a period of {', '.join(map(str, PERIODS))} days.")
    now = utcnow()
    with get_db().read() as session:
        f = figures(get_settings(), session, now, days)
        people, queues = ambassadors(session, now - timedelta(days=days))
    sources = f.sources[:TOP_SOURCES]
    rest = sum(n for _, n in f.sources[TOP_SOURCES:])
    if rest:
        sources.append((_("%(num)d other sources", num=len(f.sources) - TOP_SOURCES), rest))
    labels = [format_date(day, "d MMM") for day in f.days]
    band_labels = [label(BAND_LABELS, band) for band, _ in AGE_BANDS]
    band_kinds = {label: f"age{i}" for i, label in enumerate(band_labels)}
    return render_template(
        "dashboard.html",
        team="dashboard",
        days=days,
        periods=PERIODS,
        figures=f,
        per_day=stacked_columns(
            labels,
            {c: f.per_day[c] for c in CATEGORIES},
            every=max(1, days // 7),
            names={c: label(CATEGORY_LABELS, c).lower() for c in CATEGORIES},
        ),
        sources=horizontal_bars(sources, kind="source"),
        backlog=stacked_columns(
            [label(LANE_LABELS, t) for t in TEAMS],
            {band: [f.backlog[t][i] for t in TEAMS] for i, band in enumerate(band_labels)},
            width=420,
            height=200,
            kinds=band_kinds,
        ),
        band_legend=[(kind, label) for label, kind in band_kinds.items()],
        category_legend=[(c, label(CATEGORY_LABELS, c)) for c in CATEGORIES],
        teams=TEAMS,
        open_total=sum(sum(v) for v in f.backlog.values()),
        ambassadors=horizontal_bars(people, kind="ambassador") if people else None,
        forwarded_per_team=[(label(LANE_LABELS, t), n) for t, n in queues],
    )
