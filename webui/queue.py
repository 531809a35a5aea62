"""The team queues: newest first, with category, confidence and status, filterable."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

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
from monitor.store.models import Mention, utcnow
from webui.auth import queue_access, user
from webui.context import get_db, get_settings
from webui.sources import blind_spots

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


@bp.app_context_processor
def nav_counts() -> dict[str, Any]:
    """The open count of every queue, in view on every page."""
    if not current_user.is_authenticated or not user().can_view_queues:
        return {}
    try:
        with get_db().read() as session:
            counts = open_counts_by_team(session)
            counts[MINE] = open_count_assigned(session, user().id)
    except SQLAlchemyError:  # the error page for a database outage must still render
        return {}
    return {"counts": counts}


@bp.route("/")
@queue_access
def index() -> Any:
    mine = sorted(user().teams & set(TEAMS), key=TEAMS.index)
    return redirect(url_for("queue.team", team=mine[0] if mine else TEAMS[0]))


@bp.route("/queue/<team>")
@queue_access
def team(team: str) -> Any:
    """A team's queue; with team "review" the lane of labels a person must check first, with
    "mine" what is assigned to the person looking."""
    if team not in (*TEAMS, REVIEW, MINE):
        abort(404, f"There is no team called {team!r}.")
    page = max(1, request.args.get("page", 1, type=int) or 1)
    review, mine = team == REVIEW, team == MINE
    try:
        f = QueueFilter(
            team=team if team in TEAMS else None,
            category=request.args.get("category") or None,
            status=request.args.get("status") or "open",
            needs_review=True if review else (None if mine else False),
            assignee_id=user().id if mine else None,
        ).validate()
    except WebcareError as exc:
        abort(400, str(exc))
    with get_db().read() as session:
        mentions = list_mentions(session, f, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        total = count_mentions(session, f)
        latest = newest_id(session)
        failed_alerts = failed_count(session) if user().role in ("admin", "pr_officer") else 0
    return render_template(
        "queue.html",
        team=team,
        mentions=mentions,
        total=total,
        filter=f,
        review=review,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        categories=CATEGORIES,
        statuses=STATUSES,
        teams=TEAMS,
        newest_id=latest,
        blind_spots=blind_spots(),
        failed_alerts=failed_alerts,
        clocks=sla_clocks(mentions),
        can_work=review or mine or user().can_work(team),
    )
