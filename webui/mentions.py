"""One mention: original link, sanitised text with the matched terms, scores, history, status."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from classifiers.explain import explain
from monitor.corrections import relabel
from monitor.names import CATEGORIES, STATUSES, TEAMS
from monitor.store.events import mention_history
from monitor.store.mentions import change_status, get_mention, open_counts_by_team
from monitor.store.models import Classification
from monitor.store.sightings import list_sightings
from webui.actions import workable_mention
from webui.auth import queue_access, user
from webui.context import get_db, get_models, get_settings

bp = Blueprint("mentions", __name__)


@bp.route("/mentions/<int:mention_id>")
@queue_access
def show(mention_id: int) -> Any:
    with get_db().read() as session:
        mention = get_mention(session, mention_id)
        if mention is None:
            abort(404, f"Mention {mention_id} does not exist.")
        history = mention_history(session, mention_id)
        sightings = list_sightings(session, mention_id)
        latest = session.scalar(
            select(Classification)
            .where(Classification.mention_id == mention_id)
            .order_by(Classification.id.desc())
            .limit(1)
        )
        counts = open_counts_by_team(session)
    model = get_models().get()
    text = f"{mention.title}\n{mention.text}".strip()
    return render_template(
        "mention.html",
        explanation=explain(model, text, mention.category),
        explained_by=model.version,
        mention=mention,
        history=history,
        sightings=sightings,
        scores=sorted((latest.scores if latest else {}).items(), key=lambda kv: -kv[1]),
        counts=counts,
        teams=TEAMS,
        team=mention.team,
        statuses=STATUSES,
        categories=CATEGORIES,
        can_work=user().can_work(mention.team),
    )


@bp.route("/mentions/<int:mention_id>/category", methods=["POST"])
@queue_access
def set_category(mention_id: int) -> Any:
    category = request.form.get("category", "")
    with get_db().write() as session, workable_mention(session, mention_id) as (mention, actor):
        before = mention.category
        team = relabel(session, mention_id, category, actor, get_settings()).team
    if category == before:
        flash("Label confirmed; it will teach the next model.", "info")
    else:
        flash(f"Relabelled as {category.replace('_', ' ')} and routed to {team.replace('_', ' ')}; "
              "the next model learns from it.", "info")  # fmt: skip
    return redirect(url_for("mentions.show", mention_id=mention_id))


@bp.route("/mentions/<int:mention_id>/status", methods=["POST"])
@queue_access
def set_status(mention_id: int) -> Any:
    status = request.form.get("status", "")
    with get_db().write() as session, workable_mention(session, mention_id) as (_, actor):
        change_status(session, mention_id, status, actor)
    flash(f"Status set to {status.replace('_', ' ')}.", "info")
    return redirect(url_for("mentions.show", mention_id=mention_id))
