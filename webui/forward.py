"""Forwarding to webcare from the web: the forward page (also what the bookmarklet and the
phone's share sheet open), and "my forwards", where each employee sees what became of theirs.
The JSON API's POST /api/v1/forward uses the same Forwarder (webui/api.py)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required

from monitor.alerts.alerter import Alerter
from monitor.errors import WebcareError
from monitor.fetch import Fetcher
from monitor.forwarding import MAX_NOTE, MAX_TEXT, MAX_URL, Forwarded, Forwarder
from monitor.pipeline import Ingestor
from monitor.scheduler import fetch_policy
from monitor.store.forwards import my_forwards
from monitor.store.models import Mention, User
from webui.auth import user
from webui.context import get_db, get_models, get_settings
from webui.throttle import RateLimit

bp = Blueprint("forward", __name__)
FORWARDER_KEY = "webcare.forwarder"
RATE_KEY = "webcare.forward_rate"
# A person submits a handful of forwards an hour; a script gone wrong submits thousands.
FORWARDS_PER_MINUTE = 20
# A forward waits for the linked page while the person looks at the form: keep it short.
PAGE_TIMEOUT = 10.0


def get_forwarder() -> Forwarder:
    forwarder: Forwarder | None = current_app.extensions.get(FORWARDER_KEY)
    if forwarder is None:
        settings, db = get_settings(), get_db()
        policy = fetch_policy(settings)
        policy = replace(policy, total_timeout=min(policy.total_timeout, PAGE_TIMEOUT))
        ingestor = Ingestor(settings, db, get_models(), alerter=Alerter(settings, db))
        forwarder = Forwarder(settings, db, ingestor, Fetcher(policy))
        current_app.extensions[FORWARDER_KEY] = forwarder
    return forwarder


def rate_limit() -> RateLimit:
    limit: RateLimit | None = current_app.extensions.get(RATE_KEY)
    if limit is None:
        per_minute = current_app.config.get("FORWARDS_PER_MINUTE", FORWARDS_PER_MINUTE)
        limit = current_app.extensions[RATE_KEY] = RateLimit(per_minute, 60.0)
    return limit


def forward_for_current_user(
    url: str | None, text: str | None, note: str | None, channel: str
) -> Forwarded:
    """The one way in for the page, the bookmarklet and the API: rate-limited per person."""
    wait = rate_limit().take(f"user:{user().id}")
    if wait is not None:
        raise RateLimited(wait)
    with get_db().read() as session:
        person = session.get(User, user().id)
    return get_forwarder().forward(
        url=url, text=text, note=note, channel=channel, user=person, forwarder=user().name
    )


class RateLimited(WebcareError):
    def __init__(self, wait: float) -> None:
        super().__init__(
            f"you have forwarded {FORWARDS_PER_MINUTE} items in the last minute; "
            f"try again in {max(1, round(wait))} seconds"
        )
        self.wait = wait


def _form_values() -> dict[str, str]:
    source = request.form if request.method == "POST" else request.args
    text, url = source.get("text", "").strip(), source.get("url", "").strip()
    # Phones often share a post as text that is only its link.
    if not url and text.startswith(("http://", "https://")) and not any(c.isspace() for c in text):
        url, text = text, ""
    return {
        "url": url[: MAX_URL + 1],
        "text": text[: MAX_TEXT + 1],
        "note": source.get("note", "")[: MAX_NOTE + 1],
        "title": source.get("title", "")[:300],
        "via": "bookmarklet" if source.get("via") == "bookmarklet" else "page",
    }


def _page(values: dict[str, str], status: int = 200) -> Any:
    return render_template(
        "forward.html",
        values=values,
        limits={"url": MAX_URL, "text": MAX_TEXT, "note": MAX_NOTE},
        popup=values["via"] == "bookmarklet",
        bookmarklet=bookmarklet,
        team=None,
    ), status


@bp.route("/forward")
@login_required
def form() -> Any:
    return _page(_form_values())


@bp.route("/forward", methods=["POST"])
@login_required
def submit() -> Any:
    values = _form_values()
    try:
        sent = forward_for_current_user(
            values["url"], values["text"], values["note"], values["via"]
        )
    except RateLimited as exc:
        flash(_("You have forwarded a lot in the last minute; try again in %(seconds)d seconds.",
                seconds=max(1, round(exc.wait))), "error")  # fmt: skip
        return _page(values, 429)
    except WebcareError as exc:
        flash(_("Not forwarded: %(reason)s.", reason=exc), "error")
        return _page(values, 400)
    if sent.repeated:
        flash(_("You sent this a moment ago; it is forwarded once."), "info")
    elif sent.existing:
        flash(_("Webcare has this one already; your forward is added to it. Thank you!"), "info")
    else:
        flash(_("Thank you! Webcare has it now."), "info")
    if sent.page_error:
        flash(_("The link is kept, but %(reason)s.", reason=sent.page_error), "warning")
    if values["via"] == "bookmarklet":
        return render_template("forward_done.html", sent=sent, team=None)
    return redirect(url_for("forward.mine"))


@bp.route("/forwards")
@login_required
def mine() -> Any:
    with get_db().read() as session:
        forwards = my_forwards(session, user().name)
    return render_template(
        "forwards.html", forwards=forwards, forward_status=mention_status, team=None
    )


@bp.route("/manifest.webmanifest")
def manifest() -> Any:
    """Lets a phone install the app and offer it in the share sheet: sharing a post to
    "Webcare" opens the forward page with the post's link and text filled in."""
    body = {
        "name": "Webcare Triage",
        "short_name": "Webcare",
        "start_url": url_for("forward.form"),
        "display": "standalone",
        "icons": [
            {"src": url_for("static", filename="icon.svg"), "sizes": "any", "type": "image/svg+xml"}
        ],
        "share_target": {
            "action": url_for("forward.form"),
            "method": "GET",
            "params": {"title": "title", "text": "text", "url": "url"},
        },
    }
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    return response


def mention_status(mention: Mention) -> str:
    """A forwarder's view of where their forward stands."""
    if mention.status == "resolved":
        return str(_("handled"))
    if mention.status in ("dismissed", "spam"):
        return str(_("closed without reply"))
    if mention.status == "new":
        return str(_("waiting for webcare"))
    return str(_("webcare is on it"))


def bookmarklet(form_url: str) -> str:
    """The bookmark's script: opens the forward page in a small window with this page's link,
    title and selected text filled in (or in this tab, where pop-ups are blocked)."""
    script = (
        "(function(){var d=document,s=String(window.getSelection()).slice(0,5000),"
        f"u={form_url!r}+'?via=bookmarklet&url='+encodeURIComponent(location.href)"
        "+'&title='+encodeURIComponent(d.title.slice(0,300))+'&text='+encodeURIComponent(s);"
        "window.open(u,'webcare','width=560,height=700')||(location.href=u);})();"
    )
    return "javascript:" + script
