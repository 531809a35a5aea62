"""One action on a selection of a queue's mentions, each checked against the teams."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from monitor.errors import WebcareError
from monitor.names import TEAMS
from monitor.store.assignments import assign, move_to_team
from monitor.store.mentions import change_status
from monitor.store.models import Mention, User
from webui.auth import queue_access, user
from webui.context import get_db
from webui.labels import LANE_LABELS, label

bp = Blueprint("queue_bulk", __name__)

# What a selection can be given: a status, "take" (assign to me), or a team to move to.
BULK_STATUSES = ("resolved", "dismissed", "spam", "waiting", "in_progress")
MAX_BULK = 500


@bp.route("/queue/<team>/bulk", methods=["POST"])
@queue_access
def apply(team: str) -> Any:
    """Apply one action to the selected mentions, each checked against the teams; the ones
    the user may not change are skipped and counted."""
    back = request.form.get("back", "")
    if not back.startswith(f"/queue/{team}"):
        back = url_for("queue.team", team=team)
    ids = sorted({int(i) for i in request.form.getlist("ids") if i.isdigit()})
    action = request.form.get("action", "")
    move_to = action.removeprefix("team:") if action.startswith("team:") else None
    if action not in BULK_STATUSES and action != "take" and move_to not in TEAMS:
        abort(400, f"Unknown bulk action {action!r}.")
    if not ids:
        flash(_("Select one or more mentions first (the boxes, or x on the keyboard)."), "error")
        return redirect(back)
    if len(ids) > MAX_BULK:
        abort(400, f"At most {MAX_BULK} mentions at once; {len(ids)} were selected.")
    changed, skipped = 0, 0
    with get_db().write() as session:
        actor = session.get(User, user().id)
        assert actor is not None
        for mention_id, mention_team in session.execute(
            select(Mention.id, Mention.team).where(Mention.id.in_(ids)).order_by(Mention.id)
        ):
            if not user().can_work(mention_team):
                skipped += 1
                continue
            try:
                if action == "take":
                    assign(session, mention_id, actor, actor)
                elif move_to is not None:
                    move_to_team(session, mention_id, move_to, actor)
                else:
                    change_status(session, mention_id, action, actor)
            except WebcareError:  # one refusal must not undo the rest of the selection
                skipped += 1
                continue
            changed += 1
    message = _done(action, move_to, changed)
    if skipped:
        message += " " + _("%(num)d skipped: not in your teams.", num=skipped)
    flash(message, "info")
    return redirect(back)


def _done(action: str, move_to: str | None, n: int) -> str:
    if action == "take":
        return ngettext("%(num)d mention assigned to you.", "%(num)d mentions assigned to you.", n)
    if move_to:
        team = label(LANE_LABELS, move_to).lower()
        return ngettext(
            "%(num)d mention moved to %(team)s.",
            "%(num)d mentions moved to %(team)s.",
            n,
            team=team,
        )
    if action == "resolved":
        return ngettext("%(num)d mention resolved.", "%(num)d mentions resolved.", n)
    if action == "dismissed":
        return ngettext("%(num)d mention dismissed.", "%(num)d mentions dismissed.", n)
    if action == "spam":
        return ngettext("%(num)d mention marked as spam.", "%(num)d mentions marked as spam.", n)
    if action == "waiting":
        return ngettext("%(num)d mention set to waiting.", "%(num)d mentions set to waiting.", n)
    return ngettext(
        "%(num)d mention set to in progress.", "%(num)d mentions set to in progress.", n
    )
