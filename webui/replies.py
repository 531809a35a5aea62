"""The reply snippets page: the team writes and edits its canned replies here; those of the
config file ([[replies]]) are shown read-only beside them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from monitor.errors import WebcareError
from monitor.names import CATEGORIES, WORK_ROLES
from monitor.store.models import User
from monitor.store.replies import all_replies, delete_reply, save_reply
from webui.auth import login_manager, user
from webui.context import get_db, get_settings

bp = Blueprint("replies", __name__, url_prefix="/replies")


@bp.before_request
def _workers_only() -> Any:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if user().role not in WORK_ROLES:
        abort(403, _("Only people who work the queues can edit reply snippets."))
    return None


def _page(editing: int | None = None, form: dict[str, str] | None = None, status: int = 200) -> Any:
    with get_db().read() as session:
        replies = all_replies(session, get_settings())
    return render_template("replies.html", replies=replies, categories=CATEGORIES,
                           editing=editing, form=form or {}, team=None), status  # fmt: skip


@bp.route("")
def index() -> Any:
    editing = request.args.get("edit", type=int)
    return _page(editing)


@bp.route("", methods=["POST"])
@bp.route("/<int:reply_id>", methods=["POST"])
def save(reply_id: int | None = None) -> Any:
    form = {name: request.form.get(name, "") for name in ("name", "category", "language", "text")}
    try:
        with get_db().write() as session:
            snippet = save_reply(session, **form, by=session.get(User, user().id),
                                 settings=get_settings(), reply_id=reply_id)  # fmt: skip
            name = snippet.name
    except WebcareError as exc:
        flash(_("Not saved: %(reason)s.", reason=exc), "error")
        return _page(reply_id, form, 400)
    flash(_("Snippet “%(name)s” saved; it shows on fitting mentions now.", name=name), "info")
    return redirect(url_for("replies.index"))


@bp.route("/<int:reply_id>/delete", methods=["POST"])
def delete(reply_id: int) -> Any:
    try:
        with get_db().write() as session:
            name = delete_reply(session, reply_id, by=session.get(User, user().id))
    except WebcareError as exc:
        abort(404, str(exc))
    flash(_("Snippet “%(name)s” deleted.", name=name), "info")
    return redirect(url_for("replies.index"))
