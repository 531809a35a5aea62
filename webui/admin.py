"""Admin pages: model versions with their figures, and making any of them live (rollback)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from monitor.store.model_versions import list_versions
from monitor.training import make_live, train_and_decide
from webui.auth import login_manager, user
from webui.context import get_db

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _admins_only() -> Any:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if user().role != "admin":
        abort(403, "Only admins can manage models.")
    return None


@bp.route("/models")
def models() -> Any:
    with get_db().read() as session:
        versions = list_versions(session)
        rows = [
            {
                "id": v.id,
                "version": v.version,
                "created_at": v.created_at,
                "live": v.is_live,
                "notes": v.notes,
                "holdout": (v.metrics.get("holdout") or {}).get("macro_f1"),
                "by_language": {
                    lang: r.get("macro_f1")
                    for lang, r in (v.metrics.get("holdout_by_language") or {}).items()
                },
                "human": v.metrics.get("human_held_out"),
                "decision": (v.metrics.get("decision") or {}).get("reason", ""),
            }
            for v in versions
        ]
    return render_template("admin_models.html", versions=rows, team=None)


@bp.route("/models/train", methods=["POST"])
def train_now() -> Any:
    outcome = train_and_decide(get_db(), actor=user().name)
    flash(outcome.summary(), "info")
    return redirect(url_for("admin.models"))


@bp.route("/models/<int:version_id>/live", methods=["POST"])
def promote(version_id: int) -> Any:
    try:
        name = make_live(get_db(), version_id, actor=user().name)
    except ValueError as exc:
        abort(404, str(exc))
    flash(_("Model %(name)s is now live; workers pick it up within a minute.", name=name), "info")
    return redirect(url_for("admin.models"))
