"""Sources and their health: when each was checked, what failed, when it is due."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l

from monitor.errors import WebcareError
from monitor.store import sources as source_store
from monitor.store.models import Source
from monitor.store.websub import subscriptions_by_source
from webui.auth import queue_access, user
from webui.context import get_db, get_settings

bp = Blueprint("sources", __name__)


def blind_spots() -> list[source_store.BlindSpot]:
    """Sources that missed their freshness target, for the banner on every queue."""
    with get_db().read() as session:
        return source_store.blind_spots(session, stale_after=get_settings().scheduler.stale_after)


@bp.route("/sources")
@queue_access
def index() -> Any:
    with get_db().read() as session:
        rows = source_store.list_sources(session)
        stale = {
            spot.id: spot
            for spot in source_store.blind_spots(
                session, stale_after=get_settings().scheduler.stale_after
            )
        }
        pushed = subscriptions_by_source(session)
    return render_template(
        "sources.html",
        sources=rows,
        stale=stale,
        pushed=pushed,
        can_manage=user().role == "admin",
        config_stale_after=f"{get_settings().scheduler.stale_after:g}",
        team=None,
    )


Action = Callable[..., None]
_ACTIONS: dict[str, tuple[Action, Any]] = {
    "pause": (source_store.pause_source, _l("%(name)s is paused until someone resumes it.")),
    "resume": (source_store.resume_source, _l("%(name)s is active again and will be checked now.")),
    "check": (source_store.check_now, _l("%(name)s will be checked within a few seconds.")),
}


@bp.route("/sources/<int:source_id>/<action>", methods=["POST"])
@queue_access
def change(source_id: int, action: str) -> Any:
    if action not in _ACTIONS:
        abort(404)
    if user().role != "admin":
        abort(403, "Only admins can pause, resume or check sources.")
    run, message = _ACTIONS[action]
    try:
        with get_db().write() as session:
            run(session, source_id, actor=user().name, user_id=user().id)
            source = session.get(Source, source_id)
            name = source.name if source else str(source_id)
    except WebcareError as exc:
        abort(400, str(exc))
    flash(str(message) % {"name": name}, "info")
    return redirect(url_for("sources.index") + f"#source-{source_id}")
