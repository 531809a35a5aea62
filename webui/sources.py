"""Sources and their health: when each was checked, what failed, when it is due."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from monitor.store.mentions import open_counts_by_team
from monitor.store.sources import list_sources
from webui.auth import queue_access
from webui.context import get_db

bp = Blueprint("sources", __name__)


@bp.route("/sources")
@queue_access
def index() -> Any:
    with get_db().read() as session:
        rows = list_sources(session)
        counts = open_counts_by_team(session)
    return render_template("sources.html", sources=rows, counts=counts, team=None)
