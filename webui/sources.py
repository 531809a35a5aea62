"""Sources and their health: when each was checked, what failed, when it is due."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, get_args

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from monitor.config import SourceType
from monitor.errors import WebcareError
from monitor.store import sources as source_store
from monitor.store.models import Source
from monitor.store.websub import subscriptions_by_source
from webui.auth import queue_access, user
from webui.context import get_db, get_settings

bp = Blueprint("sources", __name__)


@bp.route("/sources")
@queue_access
def index() -> Any:
    return _page()


def _page(form: dict[str, Any] | None = None, editing: int | None = None, status: int = 200) -> Any:
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
        types=get_args(SourceType),
        brands=[b.name for b in get_settings().brands],
        form=form or {},
        editing=editing,
        page_origin=source_store.PAGE,
        team=None,
    ), status


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
    _admin_only()
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


# The form's fields: what an admin can set for a source on the page.
FORM_FIELDS = ("name", "type", "url", "search", "interval", "query", "reach", "username",
               "password_env")  # fmt: skip


def _form() -> dict[str, Any]:
    data: dict[str, Any] = {key: (request.form.get(key) or "").strip() for key in FORM_FIELDS}
    data["brands"] = request.form.getlist("brands")
    data["block_domains"] = (request.form.get("block_domains") or "").replace(",", " ").split()
    return data


def _admin_only() -> None:
    if user().role != "admin":
        abort(403, "Only admins can add, change, pause or remove sources.")


@bp.route("/sources", methods=["POST"])
@queue_access
def add() -> Any:
    _admin_only()
    data = _form()
    try:
        with get_db().write() as session:
            source = source_store.add_page_source(session, get_settings(), data,
                                                  actor=user().name, user_id=user().id)  # fmt: skip
            source_id, name = source.id, source.name
    except WebcareError as exc:
        flash(_("Not added: %(reason)s.", reason=exc), "error")
        return _page(form=data, status=400)
    flash(_("%(name)s is added and will be checked within a few seconds.", name=name), "info")
    return redirect(url_for("sources.index") + f"#source-{source_id}")


@bp.route("/sources/<int:source_id>/edit", methods=["POST"])
@queue_access
def edit(source_id: int) -> Any:
    _admin_only()
    data = _form()
    try:
        with get_db().write() as session:
            source = source_store.edit_page_source(
                session, get_settings(), source_id, data, actor=user().name, user_id=user().id
            )
            name = source.name
    except WebcareError as exc:
        flash(_("Not changed: %(reason)s.", reason=exc), "error")
        return _page(form=data, editing=source_id, status=400)
    flash(_("%(name)s is changed; workers use the new settings within 15 seconds.", name=name),
          "info")  # fmt: skip
    return redirect(url_for("sources.index") + f"#source-{source_id}")


@bp.route("/sources/<int:source_id>/remove", methods=["POST"])
@queue_access
def remove(source_id: int) -> Any:
    _admin_only()
    try:
        with get_db().write() as session:
            name = source_store.remove_page_source(session, source_id, actor=user().name,
                                                   user_id=user().id)  # fmt: skip
    except WebcareError as exc:
        abort(400, str(exc))
    flash(_("%(name)s is removed; its mentions stay.", name=name), "info")
    return redirect(url_for("sources.index"))
