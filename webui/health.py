"""/healthz: open to all, tells a load balancer whether the database answers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from monitor.errors import DatabaseError
from webui.context import get_db

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz() -> Any:
    try:
        get_db().check_connection()
    except DatabaseError as exc:
        return jsonify(status="error", database=str(exc)), 503
    return jsonify(status="ok", database="ok")
