"""One mention: original link, sanitised text with the matched terms, scores, history, status."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from classifiers.explain import explain
from monitor.corrections import relabel
from monitor.names import CATEGORIES, STATUSES, TEAMS
from monitor.store.assignments import assign, claim, move_to_team, team_members
from monitor.store.events import mention_history
from monitor.store.mentions import change_status, get_mention
from monitor.store.models import Classification
from monitor.store.notes import list_notes
from monitor.store.sightings import list_sightings
from monitor.store.users import get_user
from webui.actions import workable_mention, write_note
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
        notes = list_notes(session, mention_id)
        members = [u.name for u in team_members(session, mention.team)]
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
        teams=TEAMS,
        team=mention.team,
        statuses=STATUSES,
        categories=CATEGORIES,
        can_work=user().can_work(mention.team),
        notes=notes,
        members=members,
        replies=[
            (r.name, r.render(mention.author))
            for r in get_settings().replies
            if r.fits(mention.category, mention.language)
        ],
        me=user().name,
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


@bp.route("/mentions/<int:mention_id>/claim", methods=["POST"])
@queue_access
def take(mention_id: int) -> Any:
    with get_db().write() as session, workable_mention(session, mention_id) as (_, actor):
        assert actor is not None
        claim(session, mention_id, actor)
    flash("It is yours; colleagues see that you are working on it.", "info")
    return redirect(url_for("mentions.show", mention_id=mention_id))


@bp.route("/mentions/<int:mention_id>/assign", methods=["POST"])
@queue_access
def set_assignee(mention_id: int) -> Any:
    """The form's `assignee` (a name, or empty to hand it back) and/or `team`."""
    name = request.form.get("assignee")
    team = request.form.get("team")
    with get_db().write() as session, workable_mention(session, mention_id) as (mention, actor):
        if team and team != mention.team:
            move_to_team(session, mention_id, team, actor)
            flash(f"Moved to the {team.replace('_', ' ')} queue.", "info")
        if name is not None:
            assignee = get_user(session, name) if name else None
            if name and assignee is None:
                abort(400, f"There is no user called {name!r}.")
            assign(session, mention_id, assignee, actor)
            flash(f"Assigned to {name}." if name else "Handed back to the team.", "info")
    return redirect(url_for("mentions.show", mention_id=mention_id))


@bp.route("/mentions/<int:mention_id>/notes", methods=["POST"])
@queue_access
def add_note(mention_id: int) -> Any:
    with get_db().write() as session, workable_mention(session, mention_id) as (_, actor):
        assert actor is not None
        note, mailed = write_note(session, mention_id, actor, request.form.get("body", ""))
    message = "Note added."
    if note.mentioned:
        message += f" It mentions {', '.join(note.mentioned)}"
        message += f"; a mail goes to {', '.join(mailed)}." if mailed else "."
    flash(message, "info")
    return redirect(url_for("mentions.show", mention_id=mention_id, _anchor=f"note-{note.id}"))
