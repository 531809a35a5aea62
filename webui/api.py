"""JSON API under /api/v1: a bearer token or a logged-in session (which then needs a CSRF token)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, g, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from werkzeug.exceptions import HTTPException
from wtforms import ValidationError

from monitor.corrections import relabel
from monitor.errors import WebcareError
from monitor.names import CATEGORIES, STATUSES, TEAMS
from monitor.store.assignments import assign, move_to_team
from monitor.store.mentions import (
    SORTS,
    QueueFilter,
    change_status,
    count_mentions,
    export_record,
    get_mention,
    list_mentions,
)
from monitor.store.models import Mention, Note
from monitor.store.notes import list_notes
from monitor.store.users import get_user
from webui.actions import workable_mention, write_note
from webui.auth import user
from webui.context import get_db, get_settings
from webui.forward import RateLimited, forward_for_current_user

bp = Blueprint("api", __name__, url_prefix="/api/v1")
MAX_PER_PAGE = 200


@bp.errorhandler(HTTPException)
def _json_error(error: HTTPException) -> Any:
    return jsonify(error=error.description or error.name), error.code


@bp.before_request
def _authenticate() -> None:
    if request.endpoint == "api.openapi":
        return
    if not current_user.is_authenticated:
        abort(401, "log in or send an Authorization: Bearer token")
    # Every employee may forward; reading the queues needs a queue role.
    if not user().can_view_queues and request.endpoint != "api.forward":
        abort(403, "your role may not read mentions")
    if request.method == "POST" and not g.get("auth_via_token"):
        try:
            validate_csrf(request.headers.get("X-CSRFToken"))
        except (ValidationError, CSRFError):
            abort(400, "a session-authenticated POST needs the X-CSRFToken header")


def _mention_json(mention: Mention, notes: list[Note] | None = None) -> dict[str, Any]:
    record = export_record(mention)
    record["matched"] = mention.matched
    record["deadline_at"] = mention.deadline_at.isoformat() if mention.deadline_at else None
    if notes is not None:
        record["notes"] = [_note_json(n) for n in notes]
    return record


def _note_json(note: Note) -> dict[str, Any]:
    return {
        "id": note.id,
        "author": note.author,
        "text": note.body,
        "mentioned": note.mentioned,
        "created_at": note.created_at.isoformat(),
    }


def _body(example: str) -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, f"expected a JSON body such as {example}")
    return body


@bp.route("/mentions")
def mentions() -> Any:
    args = request.args
    since = None
    if args.get("since"):
        try:
            since = datetime.fromisoformat(args["since"])
        except ValueError:
            abort(400, "since: expected an ISO-8601 time such as 2026-01-31T12:00:00+00:00")
        if since.tzinfo is None:
            abort(400, "since: give a time zone, e.g. 2026-01-31T12:00:00Z")
    page = args.get("page", 1, type=int) or 1
    per_page = min(MAX_PER_PAGE, max(1, args.get("per_page", 50, type=int) or 50))
    try:
        f = QueueFilter(
            team=args.get("team") or None,
            category=args.get("category") or None,
            status=args.get("status") or "all",
            q=(args.get("q") or None),
            since=since,
            language=args.get("language") or None,
            source=args.get("source") or None,
            assignee_id=_assignee_id(args.get("assignee")),
            sort=args.get("sort") or "newest",
        ).validate()
    except WebcareError as exc:
        abort(400, str(exc))
    with get_db().read() as session:
        rows = list_mentions(session, f, limit=per_page, offset=(max(1, page) - 1) * per_page)
        total = count_mentions(session, f)
    return jsonify(
        items=[_mention_json(m) for m in rows], total=total, page=page, per_page=per_page
    )


def _assignee_id(name: str | None) -> int | None:
    """`assignee=me` or a user name; None when not given."""
    if not name:
        return None
    if name == "me":
        return user().id
    with get_db().read() as session:
        found = get_user(session, name)
    if found is None:
        abort(400, f"assignee: there is no user called {name!r}")
    return found.id


@bp.route("/mentions/<int:mention_id>")
def mention(mention_id: int) -> Any:
    with get_db().read() as session:
        found = get_mention(session, mention_id)
        if found is None:
            abort(404, f"mention {mention_id} does not exist")
        return jsonify(_mention_json(found, list_notes(session, mention_id)))


@bp.route("/mentions/<int:mention_id>/status", methods=["POST"])
def mention_status(mention_id: int) -> Any:
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("status"), str):
        abort(400, 'expected a JSON body such as {"status": "resolved"}')
    with get_db().write() as session, workable_mention(session, mention_id) as (_, actor):
        return jsonify(_mention_json(change_status(session, mention_id, body["status"], actor)))


@bp.route("/mentions/<int:mention_id>/category", methods=["POST"])
def mention_category(mention_id: int) -> Any:
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("category"), str):
        abort(400, 'expected a JSON body such as {"category": "complaint"}')
    with get_db().write() as session, workable_mention(session, mention_id) as (_, actor):
        changed = relabel(session, mention_id, body["category"], actor, get_settings())
        return jsonify(_mention_json(changed))


@bp.route("/mentions/<int:mention_id>/assign", methods=["POST"])
def mention_assign(mention_id: int) -> Any:
    """{"user": "anne"} gives it to Anne, {"user": null} hands it back to the team,
    {"team": "customer_service"} moves it; both may be given (move, then assign)."""
    body = _body('{"user": "anne"}, {"user": null} or {"team": "customer_service"}')
    if "user" not in body and "team" not in body:
        abort(400, 'give "user" (a name, or null to unassign) and/or "team"')
    if "user" in body and not (body["user"] is None or isinstance(body["user"], str)):
        abort(400, '"user" is a user name, or null to unassign')
    if "team" in body and not isinstance(body["team"], str):
        abort(400, f'"team" is one of {", ".join(TEAMS)}')
    with get_db().write() as session, workable_mention(session, mention_id) as (_, actor):
        if "team" in body:
            move_to_team(session, mention_id, body["team"], actor)
        if "user" in body:
            assignee = None
            if body["user"] is not None:
                assignee = get_user(session, body["user"])
                if assignee is None:
                    abort(400, f"there is no user called {body['user']!r}")
            assign(session, mention_id, assignee, actor)
        changed = get_mention(session, mention_id)
        assert changed is not None
        return jsonify(_mention_json(changed))


@bp.route("/mentions/<int:mention_id>/notes", methods=["POST"])
def mention_notes(mention_id: int) -> Any:
    body = _body('{"text": "@piet can you take this one?"}')
    if not isinstance(body.get("text"), str):
        abort(400, '"text" is the note, a string')
    with get_db().write() as session, workable_mention(session, mention_id) as (_, actor):
        if actor is None:
            abort(403, "notes need a user")
        note, mailed = write_note(session, mention_id, actor, body["text"])
        return jsonify({**_note_json(note), "mailed": mailed}), 201


@bp.route("/forward", methods=["POST"])
def forward() -> Any:
    body = _body('{"url": "https://...", "text": "...", "note": "..."}')
    fields = {name: body.get(name) for name in ("url", "text", "note")}
    for name, value in fields.items():
        if value is not None and not isinstance(value, str):
            abort(400, f"{name} must be a string")
    unknown = sorted(set(body) - set(fields))
    if unknown:
        abort(400, f"unknown field {unknown[0]!r}; expected url, text and note")
    try:
        sent = forward_for_current_user(fields["url"], fields["text"], fields["note"], "api")
    except RateLimited as exc:
        response = jsonify(error=str(exc))
        response.headers["Retry-After"] = str(max(1, round(exc.wait)))
        return response, 429
    except WebcareError as exc:
        abort(400, str(exc))
    with get_db().read() as session:
        mention = get_mention(session, sent.mention_id)
        assert mention is not None
        record = _mention_json(mention)
    # The mention itself, as GET /mentions/<id> gives it, and what became of this forward.
    result = {
        **record,
        "existing": sent.existing,
        "forward": {
            "id": sent.forward_id,
            "repeated": sent.repeated,
            "page_error": sent.page_error,
        },
    }
    return jsonify(result), 200 if sent.existing or sent.repeated else 201


def _change(
    summary: str, field: str, values: tuple[str, ...], id_param: dict[str, Any]
) -> dict[str, Any]:
    """The description of a POST that sets one field of a mention to one of `values`."""
    schema = {
        "type": "object",
        "required": [field],
        "properties": {field: {"type": "string", "enum": list(values)}},
    }
    return {
        "post": {
            "summary": summary,
            "parameters": [id_param],
            "requestBody": {"content": {"application/json": {"schema": schema}}},
            "responses": {
                "200": {"description": "changed"},
                "400": {"description": f"bad {field}"},
                "403": {"description": "not your team"},
            },
        }
    }


@bp.route("/openapi.json")
def openapi() -> Any:
    enum = {
        "team": list(TEAMS),
        "category": list(CATEGORIES),
        "status": ["open", "all", *STATUSES],
        "sort": list(SORTS),
    }
    parameters = [
        {"name": name, "in": "query", "schema": {"type": "string", "enum": values}}
        for name, values in enum.items()
    ] + [
        {"name": "q", "in": "query", "schema": {"type": "string"}},
        {"name": "language", "in": "query", "schema": {"type": "string"}},
        {"name": "source", "in": "query", "schema": {"type": "string"}},
        {
            "name": "assignee",
            "in": "query",
            "schema": {"type": "string"},
            "description": "a user name, or me",
        },
        {"name": "since", "in": "query", "schema": {"type": "string", "format": "date-time"}},
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {
            "name": "per_page",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
        },
    ]
    id_param = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
    return jsonify(
        {
            "openapi": "3.1.0",
            "info": {"title": "Webcare Triage API", "version": "1"},
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
            "paths": {
                "/api/v1/mentions": {
                    "get": {
                        "summary": "List mentions, newest first",
                        "parameters": parameters,
                        "responses": {"200": {"description": "a page"}},
                    }
                },
                "/api/v1/mentions/{id}": {
                    "get": {
                        "summary": "One mention",
                        "parameters": [id_param],
                        "responses": {"200": {"description": "it"}, "404": {"description": "none"}},
                    }
                },
                "/api/v1/mentions/{id}/category": _change(
                    "Relabel (or confirm) the category; it becomes training data",
                    "category",
                    CATEGORIES,
                    id_param,
                ),
                "/api/v1/mentions/{id}/status": _change(
                    "Change the status", "status", STATUSES, id_param
                ),
                "/api/v1/mentions/{id}/assign": {
                    "post": {
                        "summary": "Give it to a person (null: back to the team) and/or move it "
                        "to another team",
                        "parameters": [id_param],
                        "requestBody": {
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "minProperties": 1,
                                        "properties": {
                                            "user": {"type": ["string", "null"]},
                                            "team": {"type": "string", "enum": list(TEAMS)},
                                        },
                                    }
                                }
                            }
                        },
                        "responses": {
                            "200": {"description": "changed"},
                            "400": {
                                "description": "unknown user or team, or the "
                                "user does not work that team"
                            },
                            "403": {"description": "not your team"},
                        },
                    }
                },
                "/api/v1/forward": {
                    "post": {
                        "summary": "Forward a post to webcare (every role); the linked page is "
                        "read, classified and routed. Rate-limited per person.",
                        "requestBody": {
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "url": {"type": "string", "format": "uri"},
                                            "text": {"type": "string", "maxLength": 20000},
                                            "note": {"type": "string", "maxLength": 2000},
                                        },
                                    }
                                }
                            }
                        },
                        "responses": {
                            "201": {
                                "description": "the new mention, with existing: false and "
                                "forward: {id, repeated, page_error}"
                            },
                            "200": {
                                "description": "webcare had it already (existing) or you "
                                "sent it a moment ago (repeated): that mention"
                            },
                            "400": {"description": "empty, not http(s), private, too long"},
                            "429": {"description": "too many forwards; see Retry-After"},
                        },
                    }
                },
                "/api/v1/mentions/{id}/notes": {
                    "post": {
                        "summary": "Add an internal note; @names are told by mail",
                        "parameters": [id_param],
                        "requestBody": {
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["text"],
                                        "properties": {
                                            "text": {"type": "string", "maxLength": 5000}
                                        },
                                    }
                                }
                            }
                        },
                        "responses": {
                            "201": {"description": "the note"},
                            "400": {"description": "empty or too long"},
                            "403": {"description": "not your team"},
                        },
                    }
                },
            },
        }
    )
