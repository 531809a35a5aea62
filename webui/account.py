"""Each person's own settings: the time zone their pages show times in."""

from __future__ import annotations

from functools import cache
from typing import Any
from zoneinfo import available_timezones

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from monitor.store.models import User
from webui.auth import user
from webui.context import get_db, get_settings

bp = Blueprint("account", __name__)


@cache
def zones() -> list[str]:
    return sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))


@bp.route("/account")
@login_required
def index() -> Any:
    return render_template("account.html", zones=zones(), chosen=user().timezone,
                           organisation=get_settings().locale.timezone, team=None)  # fmt: skip


@bp.route("/account", methods=["POST"])
@login_required
def save() -> Any:
    zone = request.form.get("timezone", "")
    if zone and zone not in zones():
        abort(400, f"Unknown time zone {zone!r}; choose one from the list.")
    with get_db().write() as session:
        row = session.get(User, user().id)
        assert row is not None
        row.timezone = zone or None
    shown = zone or f"the organisation's ({get_settings().locale.timezone})"
    flash(f"Times are now shown in {shown}.", "info")
    return redirect(url_for("account.index"))
