"""One action on a selection of a queue's mentions, each checked against the teams."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from sqlalchemy import select

from monitor.errors import WebcareError
from monitor.names import TEAMS
from monitor.store.assignments import assign, move_to_team
from monitor.store.mentions import change_status
from monitor.store.models import Mention, User
from webui.auth import queue_access, user
from webui.context import get_db

bp = Blueprint("queue_bulk", __name__)

# What a selection can be given: a status, "take" (assign to me), or a team to move to.
BULK_STATUSES = {"resolved": "resolved", "dismissed": "dismissed", "spam": "marked as spam",
                 "waiting": "set to waiting", "in_progress": "set to in progress"}  # fmt: skip
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
        flash("Select one or more mentions first (the boxes, or x on the keyboard).", "error")
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
    done = (
        "assigned to you" if action == "take"
        else f"moved to {move_to.replace('_', ' ')}" if move_to
        else BULK_STATUSES[action]
    )  # fmt: skip
    message = f"{changed} mention{'s' if changed != 1 else ''} {done}."
    if skipped:
        message += f" {skipped} skipped: not in your teams."
    flash(message, "info")
    return redirect(back)
