"""/metrics: Prometheus figures about queues, sources and the model, read at scrape time."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort
from flask_login import current_user
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest
from sqlalchemy import func, select

from monitor.store.model_versions import live_version_name
from monitor.store.models import Mention, Source
from webui.auth import user
from webui.context import get_db

bp = Blueprint("metrics", __name__)


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    mentions = Gauge(
        "webcare_mentions",
        "Mentions stored, by team, category and status",
        ["team", "category", "status"],
        registry=registry,
    )
    errors = Gauge(
        "webcare_source_consecutive_errors", "Failed checks in a row", ["source"], registry=registry
    )
    success = Gauge(
        "webcare_source_last_success_timestamp_seconds",
        "When the source was last fetched without error",
        ["source"],
        registry=registry,
    )
    collected = Gauge(
        "webcare_source_items_collected",
        "New mentions found by the source",
        ["source"],
        registry=registry,
    )
    active = Gauge(
        "webcare_source_active",
        "1 if the source is checked on schedule",
        ["source"],
        registry=registry,
    )
    model = Gauge(
        "webcare_model_info", "The live classifier version", ["version"], registry=registry
    )
    with get_db().read() as session:
        rows = session.execute(
            select(Mention.team, Mention.category, Mention.status, func.count()).group_by(
                Mention.team, Mention.category, Mention.status
            )
        )
        for team, category, status, count in rows:
            mentions.labels(team, category, status).set(count)
        for source in session.scalars(select(Source).where(Source.state != "removed")):
            errors.labels(source.name).set(source.consecutive_errors)
            collected.labels(source.name).set(source.items_collected)
            active.labels(source.name).set(1 if source.state == "active" else 0)
            if source.last_success_at:
                success.labels(source.name).set(source.last_success_at.timestamp())
        version = live_version_name(session)
    if version:
        model.labels(version).set(1)
    return registry


@bp.route("/metrics")
def metrics() -> Any:
    # A scraper authenticates like the API: a bearer token (webcare token create) or a session.
    if not current_user.is_authenticated:
        abort(401, "send an Authorization: Bearer token (webcare token create NAME)")
    if not user().can_view_queues:
        abort(403, "your role may not read metrics")
    return Response(generate_latest(_registry()), mimetype=CONTENT_TYPE_LATEST)
