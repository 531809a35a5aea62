"""The team queues: newest first, with category, confidence and status, filterable."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Generic, TypeVar

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from monitor.errors import WebcareError
from monitor.names import CATEGORIES, OPEN_STATUSES, STATUSES, TEAMS
from monitor.sla import SlaClock, open_clock
from monitor.store.alerts import failed_count
from monitor.store.mentions import (
    MINE,
    REVIEW,
    QueueFilter,
    count_mentions,
    list_mentions,
    newest_id,
    open_count_assigned,
    open_counts_by_team,
)
from monitor.store.models import Mention, Source, utcnow
from monitor.store.sources import BlindSpot, blind_spots
from webui.auth import queue_access, user
from webui.badges import PRIORITIES
from webui.context import SETTINGS_KEY, get_db, get_settings

bp = Blueprint("queue", __name__)
PAGE_SIZE = 50


def sla_clocks(mentions: list[Mention]) -> dict[int, SlaClock]:
    """The service-level clock that matters now for each open mention on the page."""
    settings = get_settings()
    hours = settings.business_hours()
    now = utcnow()
    clocks = {}
    for m in mentions:
        if m.status not in OPEN_STATUSES:
            continue
        clock = open_clock(
            target=settings.sla.target(m.category, m.source.name), hours=hours,
            started_at=m.collected_at, first_response_at=m.first_response_at, now=now,
            warn_at=settings.sla.warn_at, deadline_at=m.deadline_at,
        )  # fmt: skip
        if clock is not None:
            clocks[m.id] = clock
    return clocks


COUNTS_KEY = "webcare.queue_counts"
SOURCES_KEY = "webcare.queue_sources"
T = TypeVar("T")


class Shared(Generic[T]):
    """A value this process's requests share for a moment.

    Every page shows the open counts per team queue, and at a million stored mentions counting
    takes 10 to 20 ms; every queue page also lists the sources and their blind spots. People
    clicking through pages do not need these fresher than a couple of seconds (the live updates
    refresh the counts anyway). A person's own "mine" count is never shared. When the moment
    is over, one request loads the value again while the others keep using the last one, so a
    busy minute does not count twenty times at once. Callers get the value itself: they must
    not change it.
    """

    def __init__(self, ttl: float, load: Callable[[Session], T]) -> None:
        self.ttl = ttl
        self._load = load
        self._value: T | None = None
        self._at = 0.0
        self._loading = False
        self._lock = threading.Lock()

    def get(self, session: Session) -> T:
        now = time.monotonic()
        with self._lock:
            if self._value is not None and (now - self._at < self.ttl or self._loading):
                return self._value
            self._loading = True
        try:
            value = self._load(session)
        except BaseException:
            with self._lock:
                self._loading = False
            raise
        with self._lock:
            self._value, self._at, self._loading = value, now, False
        return value


@dataclasses.dataclass(frozen=True)
class QueueSources:
    """What a queue page shows of the sources: their names (the filter) and the blind spots."""

    names: tuple[str, ...]
    blind_spots: tuple[BlindSpot, ...]


def init_app(app: Flask) -> None:
    ttl = app.config.get("QUEUE_COUNTS_TTL", 2.0)
    stale_after = app.extensions[SETTINGS_KEY].scheduler.stale_after

    def queue_sources(session: Session) -> QueueSources:
        names = tuple(session.scalars(select(Source.name).order_by(Source.name)))
        return QueueSources(names, tuple(blind_spots(session, stale_after=stale_after)))

    app.extensions[COUNTS_KEY] = Shared(ttl, open_counts_by_team)
    app.extensions[SOURCES_KEY] = Shared(ttl, queue_sources)


def queue_counts(session: Session) -> dict[str, int]:
    """The open count of every queue and of the person's own; counted once per request, in
    the session of the view that asks first."""
    if "nav_counts" not in g:
        counts = dict(current_app.extensions[COUNTS_KEY].get(session))
        counts[MINE] = open_count_assigned(session, user().id)
        g.nav_counts = counts
    return dict(g.nav_counts)


@bp.app_context_processor
def nav_counts() -> dict[str, Any]:
    """The queue counts in view on every page."""
    if not current_user.is_authenticated or not user().can_view_queues:
        return {}
    if "nav_counts" in g:
        return {"counts": dict(g.nav_counts)}
    try:
        with get_db().read() as session:
            return {"counts": queue_counts(session)}
    except SQLAlchemyError:  # the error page for a database outage must still render
        return {}


@bp.route("/")
def index() -> Any:
    # Reporters may only forward: their home is the forward page.
    if current_user.is_authenticated and user().role == "reporter":
        return redirect(url_for("forward.form"))
    return _queues_home()


@queue_access
def _queues_home() -> Any:
    mine = sorted(user().teams & set(TEAMS), key=TEAMS.index)
    return redirect(url_for("queue.team", team=mine[0] if mine else TEAMS[0]))


# The time filter's choices: label and how far back.
PERIODS = {"1h": timedelta(hours=1), "24h": timedelta(days=1), "7d": timedelta(days=7),
           "30d": timedelta(days=30)}  # fmt: skip
FILTER_ARGS = ("category", "status", "language", "source", "priority", "period", "q", "sort")


def lane_filter(team: str) -> QueueFilter:
    """The filter of a queue page (or its export) from the query string; bad values are a 400
    that says what is allowed."""
    if team not in (*TEAMS, REVIEW, MINE):
        abort(404, f"There is no team called {team!r}.")
    args = request.args
    period, priority = args.get("period") or "", args.get("priority") or ""
    if period and period not in PERIODS:
        abort(400, f"Unknown period {period!r}; choose one of {', '.join(PERIODS)}.")
    if priority and priority not in PRIORITIES:
        abort(400, f"Unknown priority {priority!r}; choose high or mid.")
    query = (args.get("q") or "").strip()[:200]
    try:
        return QueueFilter(
            team=team if team in TEAMS else None,
            category=args.get("category") or None,
            status=args.get("status") or "open",
            language=args.get("language") or None,
            source=args.get("source") or None,
            q=query or None,
            since=utcnow() - PERIODS[period] if period else None,
            needs_review=True if team == REVIEW else (None if team == MINE else False),
            assignee_id=user().id if team == MINE else None,
            min_priority=PRIORITIES.get(priority),
            sort=args.get("sort") or "newest",
        ).validate()
    except WebcareError as exc:
        abort(400, str(exc))


def lane_filter_default(team: str) -> QueueFilter:
    """A team queue as it opens: open mentions, not waiting for review, newest first."""
    return QueueFilter(team=team, needs_review=False).validate()


def _filter_args() -> dict[str, str]:
    """The filters in use, for links that keep them (pages, export)."""
    return {k: v for k in FILTER_ARGS if (v := request.args.get(k, ""))}


@bp.route("/queue/<team>")
@queue_access
def team(team: str) -> Any:
    """A team's queue; with team "review" the lane of labels a person must check first, with
    "mine" what is assigned to the person looking."""
    f = lane_filter(team)
    page = max(1, request.args.get("page", 1, type=int) or 1)
    review, mine = team == REVIEW, team == MINE
    # The unfiltered queue's size is its count in the navigation; others are counted.
    plain = team in TEAMS and f == lane_filter_default(team)
    with get_db().read() as session:
        counts = queue_counts(session)  # for the navigation as well
        mentions = list_mentions(session, f, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        total = counts[team] if plain else count_mentions(session, f)
        latest = newest_id(session)
        failed_alerts = failed_count(session) if user().role in ("admin", "pr_officer") else 0
        shown = current_app.extensions[SOURCES_KEY].get(session)
    return render_template(
        "queue.html",
        team=team,
        mentions=mentions,
        total=total,
        filter=f,
        filter_args=_filter_args(),
        review=review,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        categories=CATEGORIES,
        statuses=STATUSES,
        teams=TEAMS,
        languages=get_settings().classifier.languages,
        sources=shown.names,
        periods=PERIODS,
        newest_id=latest,
        blind_spots=shown.blind_spots,
        failed_alerts=failed_alerts,
        clocks=sla_clocks(mentions),
        can_work=review or mine or user().can_work(team),
    )


LIVE_MAX = 50


@bp.route("/queue/<team>/rows")
@queue_access
def live_rows(team: str) -> Any:
    """Rows for the mentions stored since `after` that the page's filters select, newest
    first, with the queue counts: the page adds them without a reload."""
    after = request.args.get("after", type=int)
    if after is None or after < 0:
        abort(400, "Give after: the newest mention id the page has.")
    f = dataclasses.replace(lane_filter(team), after_id=after, sort="newest")
    with get_db().read() as session:
        mentions = list_mentions(session, f, limit=LIVE_MAX)
        latest = newest_id(session)
        counts = queue_counts(session)
    html = render_template(
        "_queue_rows.html",
        mentions=mentions,
        clocks=sla_clocks(mentions),
        can_work=team in (REVIEW, MINE) or user().can_work(team),
    )
    return jsonify(html=html, count=len(mentions), newest_id=latest, counts=counts)
