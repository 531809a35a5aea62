"""/websub/<source_id>: the callback WebSub hubs verify our intent at and push new items to.

Open to hubs: no login, no CSRF token (hubs have neither); pushes are trusted only when signed
with the subscription's secret.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, request

from monitor.pipeline import Ingestor
from monitor.store.models import utcnow
from monitor.websub import Push, answer_verification, receive_push
from webui.context import get_db, get_models, get_settings

bp = Blueprint("websub", __name__)
INGESTOR_KEY = "webcare.websub_ingestor"


def _ingestor() -> Ingestor:
    """One per app, made at the first push (its rules and language model load once)."""
    ingestor: Ingestor | None = current_app.extensions.get(INGESTOR_KEY)
    if ingestor is None:
        ingestor = Ingestor(get_settings(), get_db(), get_models())
        current_app.extensions[INGESTOR_KEY] = ingestor
    return ingestor


def _text(body: str, status: int) -> Response:
    return Response(body, status=status, mimetype="text/plain")


@bp.get("/websub/<int:source_id>")
def verify(source_id: int) -> Any:
    answer = answer_verification(get_db(), source_id, request.args, now=utcnow())
    if answer is None:
        return _text("no such subscription request", 404)
    return _text(answer, 200)


@bp.post("/websub/<int:source_id>")
def push(source_id: int) -> Any:
    # MAX_CONTENT_LENGTH bounds the body (413 beyond it), chunked or not.
    outcome = receive_push(
        get_db(),
        _ingestor(),
        source_id,
        request.get_data(cache=False),
        content_type=request.content_type,
        signature=request.headers.get("X-Hub-Signature"),
        now=utcnow(),
    )
    if outcome is Push.GONE:
        return _text("no subscription here", 410)
    return _text("", 200)
