"""The blocklist page: what agents blocked from the queue (authors, sites, phrases), what the
config file blocks, and authors and sites marked as spam more than once that nobody blocked
yet. Agents add and remove entries; every change is logged."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from monitor.errors import WebcareError
from monitor.names import WORK_ROLES
from monitor.store import blocks
from monitor.store.models import User
from webui.auth import login_manager, user
from webui.context import get_db, get_settings

bp = Blueprint("blocklist", __name__, url_prefix="/blocklist")
KIND_LABELS = {"author": _l("Author"), "site": _l("Site"), "phrase": _l("Phrase")}
REASON_LABELS = {"spam": _l("spam"), "irrelevant": _l("irrelevant"), "manual": _l("added by hand")}


@bp.before_request
def _workers_only() -> Any:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if user().role not in WORK_ROLES:
        abort(403, _("Only people who work the queues can change the blocklist."))
    return None


@bp.route("")
def index() -> Any:
    settings = get_settings()
    with get_db().read() as session:
        entries = blocks.list_blocks(session)
        suggestions = blocks.spam_suggestions(session)
    return render_template(
        "blocklist.html",
        entries=entries,
        suggestions=suggestions,
        configured=settings.blocklist,
        brands=[b.name for b in settings.brands],
        kinds=blocks.KINDS,
        kind_labels=KIND_LABELS,
        reason_labels=REASON_LABELS,
        team=None,
    )


@bp.route("", methods=["POST"])
def add() -> Any:
    kind = request.form.get("kind", "")
    brand = request.form.get("brand") or blocks.EVERY_BRAND
    if brand != blocks.EVERY_BRAND and brand not in {b.name for b in get_settings().brands}:
        abort(400, _("There is no brand called %(brand)s.", brand=repr(brand)))
    reason = "spam" if request.form.get("reason") == "spam" else "manual"
    try:
        with get_db().write() as session:
            actor = session.get(User, user().id)
            entry, new = blocks.add_block(session, kind, request.form.get("value", ""),
                                          by=actor, reason=reason, brand=brand)  # fmt: skip
            closed = blocks.sweep(session, entry, by=actor) if request.form.get("sweep") else []
            value = entry.value
    except WebcareError as exc:
        flash(_("Not added: %(reason)s.", reason=exc), "error")
        return redirect(url_for("blocklist.index"))
    if new:
        message = _("“%(value)s” is on the blocklist.", value=value)
    else:
        message = _("“%(value)s” is on the blocklist already.", value=value)
    if closed:
        message += " " + ngettext("%(num)d new mention closed.", "%(num)d new mentions closed.",
                                  len(closed))  # fmt: skip
    flash(message, "info")
    return redirect(url_for("blocklist.index"))


@bp.route("/<int:block_id>/remove", methods=["POST"])
def remove(block_id: int) -> Any:
    try:
        with get_db().write() as session:
            entry = blocks.remove_block(session, block_id, by=session.get(User, user().id))
            value = entry.value
    except WebcareError as exc:
        abort(404, str(exc))
    flash(_("“%(value)s” is off the blocklist; items with it are collected again.", value=value),
          "info")  # fmt: skip
    return redirect(url_for("blocklist.index"))
