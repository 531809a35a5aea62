"""Admin page for people: add them, change role, teams and address, let them in or not, and
give a new password (shown once, never stored in the clear)."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from monitor.errors import WebcareError
from monitor.names import ROLES, TEAMS
from monitor.store.events import record_event
from monitor.store.models import User
from monitor.store.users import add_user, set_password, update_user
from webui.auth import login_manager, user
from webui.context import get_db

bp = Blueprint("users", __name__, url_prefix="/admin/users")


@bp.before_request
def _admins_only() -> Any:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if user().role != "admin":
        abort(403, "Only admins can manage people.")
    return None


def _page(new_password: tuple[str, str] | None = None, status: int = 200) -> Any:
    with get_db().read() as session:
        people = list(session.scalars(select(User).order_by(func.lower(User.name))))
    return render_template("admin_users.html", people=people, roles=ROLES, teams=TEAMS,
                           new_password=new_password, team=None), status  # fmt: skip


def _form() -> tuple[str, list[str], str | None]:
    role = request.form.get("role", "")
    teams = request.form.getlist("teams")
    email = (request.form.get("email") or "").strip() or None
    return role, teams, email


def _audit(session: Any, kind: str, name: str, **data: Any) -> None:
    record_event(session, kind, user_id=user().id, actor=user().name, data={"user": name, **data})


@bp.route("")
def index() -> Any:
    return _page()


@bp.route("", methods=["POST"])
def create() -> Any:
    name = (request.form.get("name") or "").strip()
    role, teams, email = _form()
    password = secrets.token_urlsafe(12)
    try:
        with get_db().write() as session:
            add_user(session, name, role=role, teams=teams, password=password, email=email)
            _audit(session, "user.created", name, role=role, teams=teams)
    except WebcareError as exc:
        flash(_("Not added: %(reason)s.", reason=exc), "error")
        return _page(status=400)
    return _page((name, password))


@bp.route("/<int:user_id>", methods=["POST"])
def update(user_id: int) -> Any:
    role, teams, email = _form()
    active = request.form.get("active") == "on"
    try:
        with get_db().write() as session:
            person = session.get(User, user_id)
            if person is None:
                abort(404, f"There is no user {user_id}.")
            changes = update_user(session, person, role=role, teams=teams, email=email,
                                  active=active)  # fmt: skip
            if changes:
                _audit(session, "user.changed", person.name, changes=changes)
            name = person.name
    except WebcareError as exc:
        flash(_("Not changed: %(reason)s.", reason=exc), "error")
        return _page(status=400)
    if changes:
        flash(_("%(name)s: %(changes)s changed.", name=name, changes=", ".join(changes)), "info")
    else:
        flash(_("%(name)s: nothing changed.", name=name), "info")
    return redirect(url_for("users.index"))


@bp.route("/<int:user_id>/password", methods=["POST"])
def new_password(user_id: int) -> Any:
    password = secrets.token_urlsafe(12)
    with get_db().write() as session:
        person = session.get(User, user_id)
        if person is None:
            abort(404, f"There is no user {user_id}.")
        set_password(session, person, password)
        _audit(session, "user.password_reset", person.name)
        name = person.name
    return _page((name, password))
