"""Each person's own settings: the language the pages speak and the time zone they show."""

from __future__ import annotations

from functools import cache
from typing import Any
from zoneinfo import available_timezones

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import login_required

from monitor.store.events import record_event
from monitor.store.models import User, utcnow
from webui.auth import safe_next, user
from webui.context import get_db, get_settings
from webui.i18n import LANGUAGES, select_locale_for_browser

bp = Blueprint("account", __name__)


@cache
def zones() -> list[str]:
    return sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))


@bp.route("/account")
@login_required
def index() -> Any:
    return render_template("account.html", zones=zones(), chosen=user().timezone,
                           chosen_language=user().language or "",
                           organisation=get_settings().locale.timezone, team=None)  # fmt: skip


@bp.route("/account/away", methods=["POST"])
@login_required
def set_away() -> Any:
    """Away (off shift, ill, on leave) or back: while away, auto-assignment passes you over."""
    away = request.form.get("away") == "1"
    with get_db().write() as session:
        row = session.get(User, user().id)
        assert row is not None
        if away and row.away_since is None:
            row.away_since = utcnow()
        elif not away:
            row.away_since = None
        record_event(session, "user.away" if away else "user.back", user_id=row.id,
                     actor=row.name)  # fmt: skip
    if away:
        flash(_("You are away: nothing new is assigned to you until you are back. What you "
                "hold stays yours."), "info")  # fmt: skip
    else:
        flash(_("Welcome back: new mentions are assigned to you again."), "info")
    return redirect(safe_next(request.form.get("back"), url_for("account.index")))


@bp.route("/account", methods=["POST"])
@login_required
def save() -> Any:
    zone = request.form.get("timezone", "")
    language = request.form.get("language", "")
    if zone and zone not in zones():
        abort(400, _("Unknown time zone %(zone)s; choose one from the list.", zone=repr(zone)))
    if language and language not in LANGUAGES:
        abort(400, _("Choose English, Nederlands or your browser's language."))
    with get_db().write() as session:
        row = session.get(User, user().id)
        assert row is not None
        row.timezone = zone or None
        row.language = language or None
    # The confirmation speaks the language just chosen.
    with force_locale(language or select_locale_for_browser()):
        shown = zone or _("the organisation's (%(zone)s)", zone=get_settings().locale.timezone)
        flash(_("Saved. Times are now shown in %(zone)s.", zone=shown), "info")
    return redirect(url_for("account.index"))
