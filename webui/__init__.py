"""The Flask web UI and JSON API: create_app() builds it from Settings and a Database."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFProtect

from monitor.config import Settings
from monitor.store.db import Database
from webui import (
    account,
    admin,
    alerts,
    api,
    auth,
    blocklist,
    dashboard,
    filters,
    forward,
    health,
    i18n,
    mentions,
    metrics,
    query_tester,
    queue,
    queue_bulk,
    queue_export,
    replies,
    sources,
    users,
    websub,
)
from webui.context import DB_KEY, SETTINGS_KEY


def _secret_key(settings: Settings) -> str:
    """The configured key, else one generated once and kept in the instance folder."""
    if settings.web.secret_key:
        return settings.web.secret_key
    path = settings.instance_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def create_app(settings: Settings, db: Database, *, config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(Path(settings.instance_dir).resolve()))
    app.config.update(
        SECRET_KEY=_secret_key(settings),
        PERMANENT_SESSION_LIFETIME=timedelta(seconds=settings.web.session_timeout),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=1024 * 1024,
        JSON_SORT_KEYS=False,
    )
    app.config.update(config or {})
    app.extensions[SETTINGS_KEY] = settings
    app.extensions[DB_KEY] = db

    csrf = CSRFProtect(app)
    auth.init_app(app)
    i18n.init_app(app)
    filters.init_app(app)
    queue.init_app(app)
    for blueprint in (
        auth.bp,
        account.bp,
        queue.bp,
        queue_bulk.bp,
        queue_export.bp,
        dashboard.bp,
        mentions.bp,
        forward.bp,
        blocklist.bp,
        replies.bp,
        sources.bp,
        query_tester.bp,
        admin.bp,
        users.bp,
        alerts.bp,
        health.bp,
        metrics.bp,
    ):
        app.register_blueprint(blueprint)
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)  # the API checks CSRF itself for cookie sessions; tokens need none
    app.register_blueprint(websub.bp)
    csrf.exempt(websub.bp)  # hubs hold no token; their pushes are signed instead

    @app.after_request
    def _security_headers(response: Any) -> Any:
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    for code, title, shown in (
        (403, "Not allowed", _l("Not allowed")),
        (404, "Not found", _l("Not found")),
        (400, "Bad request", _l("Bad request")),
        (429, "Too many attempts", _l("Too many attempts")),
    ):
        app.register_error_handler(code, _error_page(code, title, shown))
    return app


def _error_page(code: int, title: str, shown: Any) -> Any:
    def handler(error: Any) -> Any:
        description = getattr(error, "description", "") or ""
        # Flask prefers these handlers (by status code) over the API's own (by class), and
        # API clients must get JSON.
        if request.blueprint == "api":
            return jsonify(error=description or title), code
        page = render_template("error.html", code=code, title=shown, description=description)
        return page, code

    return handler
