"""Logging in and out, loading the user per request (session cookie or API bearer token)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from monitor.store.models import User
from monitor.store.users import authenticate, user_for_token
from webui.context import get_db
from webui.permissions import SessionUser
from webui.throttle import Throttle

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Log in to see this page."
THROTTLE_KEY = "webcare.login_throttle"

F = TypeVar("F", bound=Callable[..., Any])


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.extensions[THROTTLE_KEY] = Throttle()


@login_manager.user_loader
def _load_user(user_id: str) -> SessionUser | None:
    if not user_id.isdigit():
        return None
    with get_db().read() as db_session:
        # Every request of a logged-in person starts here: one query, the teams joined.
        user = db_session.get(User, int(user_id), options=[joinedload(User.teams)])
        return SessionUser.from_row(user) if user and user.active else None


@login_manager.request_loader
def _load_from_token(req: Any) -> SessionUser | None:
    header = req.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    with get_db().write() as db_session:
        user = user_for_token(db_session, header[7:].strip())
        if user is None:
            return None
        g.auth_via_token = True
        return SessionUser.from_row(user)


def user() -> SessionUser:
    return cast(SessionUser, current_user._get_current_object())


def queue_access(view: F) -> F:
    """Logged in with a role that may see queues (reporters may only forward)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not user().can_view_queues:
            abort(403, "Your role may forward items to webcare but not open the queues.")
        return view(*args, **kwargs)

    return cast(F, wrapper)


class LoginForm(FlaskForm):
    username = StringField("User name", validators=[DataRequired(), Length(max=100)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1000)])
    next = HiddenField()


def safe_next(target: str | None, default: str | None = None) -> str:
    """A page of this site to go on to, never an address elsewhere ("//host" and "/\\host" are
    such addresses to a browser); else the default, the queue."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default or url_for("queue.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated:
        return redirect(safe_next(form.next.data))
    status = 200
    throttle: Throttle = current_app.extensions[THROTTLE_KEY]
    if request.method == "POST":
        keys = (f"ip:{request.remote_addr}", f"user:{(form.username.data or '').lower()}")
        if throttle.blocked(*keys):
            status = 429
            flash(_("Too many failed attempts. Wait a few minutes and try again."), "error")
        elif form.validate_on_submit():
            with get_db().read() as db_session:
                found = authenticate(db_session, form.username.data, form.password.data)
                account = SessionUser.from_row(found) if found else None
            if account is not None:
                throttle.reset(*keys)
                session.clear()
                session.permanent = True
                login_user(account)
                return redirect(safe_next(form.next.data))
            throttle.fail(*keys)
            status = 401
            flash(_("Unknown user name or wrong password."), "error")
        else:
            status = 400
            flash(_("Fill in your user name and password."), "error")
    return render_template("login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))
