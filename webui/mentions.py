"""One mention: original link, sanitised text with the matched terms, scores, history, status."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from classifiers.explain import explain
from monitor.corrections import relabel
from monitor.names import CATEGORIES, STATUSES, TEAMS
from monitor.store import blocks
from monitor.store.assignments import assign, claim, move_to_team, team_members
from monitor.store.attachments import attachment, attachments_of
from monitor.store.events import mention_history
from monitor.store.forwards import forwards_of
from monitor.store.mentions import change_status, get_mention
from monitor.store.models import Block, Classification
from monitor.store.notes import list_notes
from monitor.store.replies import replies_for
from monitor.store.sightings import list_sightings
from monitor.store.users import get_user
from webui.actions import workable_mention, write_note
from webui.auth import queue_access, user
from webui.context import get_db, get_models, get_settings
from webui.labels import CATEGORY_LABELS, LANE_LABELS, STATUS_LABELS, label

bp = Blueprint("mentions", __name__)
PICTURE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


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
        replies = replies_for(session, get_settings(), mention.category, mention.language)
        forwarded = forwards_of(session, mention_id)
        pictures = attachments_of(session, mention_id)
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
        replies=[(r.name, r.render(mention.author)) for r in replies],
        forwarded=forwarded,
        pictures=pictures,
        blockable=blocks.what_to_block(mention),
        phrases=blocks.phrase_suggestions(mention),
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
        flash(_("Label confirmed; it will teach the next model."), "info")
    else:
        flash(_("Relabelled as %(category)s and routed to %(team)s; the next model learns from it.",
                category=label(CATEGORY_LABELS, category).lower(),
                team=label(LANE_LABELS, team).lower()), "info")  # fmt: skip
    return redirect(url_for("mentions.show", mention_id=mention_id))


@bp.route("/mentions/<int:mention_id>/status", methods=["POST"])
@queue_access
def set_status(mention_id: int) -> Any:
    status = request.form.get("status", "")
    with get_db().write() as session, workable_mention(session, mention_id) as (_mention, actor):
        change_status(session, mention_id, status, actor)
    flash(_("Status set to %(status)s.", status=label(STATUS_LABELS, status)), "info")
    return redirect(url_for("mentions.show", mention_id=mention_id))


@bp.route("/mentions/<int:mention_id>/irrelevant", methods=["POST"])
@queue_access
def irrelevant(mention_id: int) -> Any:
    """Not about us at all (the other "Acme"): dismissed, and the page offers the phrase that
    keeps the next one out of the brand's query."""
    with get_db().write() as session, workable_mention(session, mention_id) as (_mention, actor):
        change_status(session, mention_id, "dismissed", actor, reason="irrelevant")
    flash(_("Dismissed as irrelevant. Exclude a phrase below to keep the next one out."), "info")
    return redirect(url_for("mentions.show", mention_id=mention_id, _anchor="keep-out"))


@bp.route("/mentions/<int:mention_id>/block", methods=["POST"])
@queue_access
def block(mention_id: int) -> Any:
    """Keep items like this one out: its author or site (spam), or a phrase (irrelevant). The
    mention itself is closed, and so, when asked, are the new ones the entry matches."""
    kind = request.form.get("kind", "")
    value = request.form.get("value", "")
    sweep = request.form.get("sweep") == "1"
    with get_db().write() as session, workable_mention(session, mention_id) as (mention, actor):
        reason = "irrelevant" if kind == "phrase" else "spam"
        brand = mention.brand if request.form.get("scope") != "all" else blocks.EVERY_BRAND
        entry, new = blocks.add_block(session, kind, value, by=actor, reason=reason,
                                      brand=brand, mention_id=mention_id)  # fmt: skip
        if mention.status not in ("spam", "dismissed"):
            status = "spam" if reason == "spam" else "dismissed"
            change_status(session, mention_id, status, actor, reason=reason)
        closed = blocks.sweep(session, entry, by=actor) if sweep else []
    flash(_block_message(entry, new, closed), "info")
    return redirect(url_for("mentions.show", mention_id=mention_id))


def _block_message(entry: Block, new: bool, closed: list[int]) -> str:
    value = entry.value
    if entry.kind == "phrase":
        brand = _("every brand") if entry.brand == blocks.EVERY_BRAND else entry.brand
        if new:
            message = _("Phrase “%(value)s” is on the blocklist for %(brand)s.", value=value,
                        brand=brand)  # fmt: skip
        else:
            message = _("Phrase “%(value)s” is on the blocklist already for %(brand)s.",
                        value=value, brand=brand)  # fmt: skip
    elif entry.kind == "author" and new:
        message = _("Author “%(value)s” is on the blocklist.", value=value)
    elif entry.kind == "author":
        message = _("Author “%(value)s” is on the blocklist already.", value=value)
    elif new:
        message = _("Site “%(value)s” is on the blocklist.", value=value)
    else:
        message = _("Site “%(value)s” is on the blocklist already.", value=value)
    if not closed:
        return message
    status = label(STATUS_LABELS, "spam" if entry.reason == "spam" else "dismissed")
    if entry.kind == "phrase":
        more = ngettext("%(num)d other new mention it matches closed as %(status)s.",
                        "%(num)d other new mentions it matches closed as %(status)s.",
                        len(closed), status=status)  # fmt: skip
    else:
        more = ngettext("%(num)d other new mention by it closed as %(status)s.",
                        "%(num)d other new mentions by it closed as %(status)s.",
                        len(closed), status=status)  # fmt: skip
    return f"{message} {more}"


@bp.route("/mentions/<int:mention_id>/attachments/<int:attachment_id>")
@queue_access
def picture(mention_id: int, attachment_id: int) -> Any:
    """A picture that came with the mention, served so that it can only ever be a picture."""
    with get_db().read() as session:
        found = attachment(session, mention_id, attachment_id)
        if found is None:
            abort(404, "No such picture.")
        data, kind, name = found.data, found.content_type, found.filename
    if kind not in PICTURE_TYPES:  # stored before a rule changed: never serve it as is
        abort(404, "No such picture.")
    response = make_response(data)
    response.headers["Content-Type"] = kind
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.route("/mentions/<int:mention_id>/claim", methods=["POST"])
@queue_access
def take(mention_id: int) -> Any:
    with get_db().write() as session, workable_mention(session, mention_id) as (_mention, actor):
        assert actor is not None
        claim(session, mention_id, actor)
    flash(_("It is yours; colleagues see that you are working on it."), "info")
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
            flash(_("Moved to the %(team)s queue.", team=label(LANE_LABELS, team).lower()), "info")
        if name is not None:
            assignee = get_user(session, name) if name else None
            if name and assignee is None:
                abort(400, f"There is no user called {name!r}.")
            assign(session, mention_id, assignee, actor)
            flash(_("Assigned to %(name)s.", name=name) if name else _("Handed back to the team."),
                  "info")  # fmt: skip
    return redirect(url_for("mentions.show", mention_id=mention_id))


@bp.route("/mentions/<int:mention_id>/notes", methods=["POST"])
@queue_access
def add_note(mention_id: int) -> Any:
    with get_db().write() as session, workable_mention(session, mention_id) as (_mention, actor):
        assert actor is not None
        note, mailed = write_note(session, mention_id, actor, request.form.get("body", ""))
    message = _("Note added.")
    if note.mentioned and mailed:
        message += " " + _("It mentions %(names)s; a mail goes to %(mailed)s.",
                           names=", ".join(note.mentioned), mailed=", ".join(mailed))  # fmt: skip
    elif note.mentioned:
        message += " " + _("It mentions %(names)s.", names=", ".join(note.mentioned))
    flash(message, "info")
    return redirect(url_for("mentions.show", mention_id=mention_id, _anchor=f"note-{note.id}"))
