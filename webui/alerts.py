"""The Alerts page: the rules (from the config file and made here), a test message per rule,
and the delivery log, where a failed delivery stays visible until someone retries it."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from pydantic import ValidationError

from monitor.alerts.channels import check_targets, describe
from monitor.alerts.rules import PR_OFFICERS, Rule, config_rules, page_rule, parse_rule
from monitor.config import settings_from_mapping
from monitor.errors import ConfigError, WebcareError
from monitor.names import CATEGORIES, TEAMS
from monitor.store import alerts as alert_store
from monitor.store.models import utcnow
from webui.auth import queue_access, user
from webui.context import get_db, get_settings

bp = Blueprint("alerts", __name__)
VIEW_ROLES = frozenset({"admin", "pr_officer"})
EVENTS = ("mention", "spike", "blind_spot", "sla", "digest")
STATUS_FILTERS = ("", "pending", "failed", "sent")


def _may_view() -> None:
    if user().role not in VIEW_ROLES:
        abort(403, "Only admins and PR officers can see the alerts.")


def _may_manage() -> None:
    if user().role != "admin":
        abort(403, "Only admins can change alert rules or retry deliveries.")


def _rule_row(
    rule: Rule, origin: str, row_id: int | None = None, enabled: bool = True
) -> dict[str, Any]:
    filters = [
        f"{label} {value}"
        for label, value in (("category", rule.category), ("brand", rule.brand),
                             ("source", rule.source), ("team", rule.team))
        if value
    ]  # fmt: skip
    if rule.min_priority:
        filters.append(f"priority ≥ {rule.min_priority}")
    return {
        "name": rule.name,
        "event": rule.event,
        "filters": ", ".join(filters) or "all",
        "notify": [describe(t) for t in rule.notify],
        "group": rule.group,
        "quiet_hours": rule.quiet_hours,
        "origin": origin,
        "id": row_id,
        "enabled": enabled,
    }


@bp.route("/alerts")
@queue_access
def index() -> Any:
    _may_view()
    settings = get_settings()
    status = request.args.get("status", "")
    if status not in STATUS_FILTERS:
        abort(400, f"unknown status {status!r}; expected pending, failed or sent")
    rules = [
        _rule_row(r, "built in ([alerting] notify_pr_officers)" if r is PR_OFFICERS else
                  "config file")
        for r in config_rules(settings)
    ]  # fmt: skip
    with get_db().read() as session:
        for row in alert_store.page_rules(session):
            if (rule := page_rule(row, settings)) is not None:
                rules.append(_rule_row(rule, f"made by {row.created_by}", row.id, row.enabled))
        deliveries = [
            {"id": d.id, "created_at": d.alert.created_at, "event": d.alert.event,
             "subject": d.alert.subject, "link": d.alert.link, "rule": d.rule,
             "target": describe(d.target), "status": d.status, "attempts": d.attempts,
             "error": d.last_error, "sent_at": d.sent_at, "next_attempt_at": d.next_attempt_at}
            for d in alert_store.recent_deliveries(session, status=status or None)
        ]  # fmt: skip
        failed = alert_store.failed_count(session)
    return render_template(
        "alerts.html",
        rules=rules,
        deliveries=deliveries,
        failed=failed,
        status=status,
        team=None,
        can_manage=user().role == "admin",
        events=EVENTS,
        categories=CATEGORIES,
        teams=TEAMS,
        brands=[b.name for b in settings.brands],
        sources=[s.name for s in settings.sources],
        form=request.args,
        now=utcnow(),
        quiet_hours=settings.alerting.quiet_hours,
    )


def _form_rule() -> tuple[str, dict[str, Any]]:
    form = request.form
    name = form.get("name", "").strip()
    if not name or len(name) > 100:
        raise WebcareError("give the rule a name of at most 100 characters")
    if name in {r.name for r in config_rules(get_settings())}:
        raise WebcareError(f"the config file has a rule named {name!r} already")
    data: dict[str, Any] = {
        "name": name,
        "event": form.get("event", "mention"),
        "notify": [line.strip() for line in form.get("notify", "").splitlines() if line.strip()],
    }
    for key in ("category", "brand", "source", "team", "group"):
        if form.get(key, "").strip():
            data[key] = form[key].strip()
    if form.get("min_priority", "").strip():
        data["min_priority"] = form["min_priority"].strip()
    if form.get("quiet_hours") in ("yes", "no"):
        data["quiet_hours"] = form["quiet_hours"] == "yes"
    try:
        config = parse_rule(get_settings(), data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise WebcareError(f"{where}: {first['msg']}".removeprefix(": ")) from None
    except ConfigError as exc:
        raise WebcareError(str(exc).split(": ", 1)[-1].replace("alerts[0].", "")) from None
    return name, config.model_dump(mode="json", exclude_defaults=True)


@bp.route("/alerts/rules", methods=["POST"])
@queue_access
def add_rule() -> Any:
    _may_manage()
    try:
        name, data = _form_rule()
        check_targets(
            settings_from_mapping(
                {"alerts": [data], "mail": get_settings().mail.model_dump(),
                 "webhooks": [w.model_dump() for w in get_settings().webhooks]},
            )
        )  # fmt: skip
        with get_db().write() as session:
            alert_store.add_page_rule(session, name, data, actor=user().name)
    except (WebcareError, ConfigError) as exc:
        message = str(exc).removeprefix("<config>: ").replace("alerts[0].", "")
        flash(_("The rule was not saved: %(reason)s", reason=message), "error")
        kept = {k: v for k, v in request.form.items() if k != "csrf_token"}
        return redirect(url_for("alerts.index") + "?" + urlencode(kept) + "#new-rule")
    flash(
        _("Rule %(name)s saved; every worker uses it within 15 seconds.", name=repr(name)), "info"
    )
    return redirect(url_for("alerts.index"))


@bp.route("/alerts/rules/<int:rule_id>/<action>", methods=["POST"])
@queue_access
def change_rule(rule_id: int, action: str) -> Any:
    _may_manage()
    try:
        with get_db().write() as session:
            if action == "delete":
                name = alert_store.delete_page_rule(session, rule_id)
            elif action in ("enable", "disable"):
                name = alert_store.set_page_rule_enabled(session, rule_id, action == "enable")
            else:
                abort(404)
    except WebcareError as exc:
        abort(404, str(exc))
    done = {"delete": _("deleted"), "enable": _("enabled"), "disable": _("disabled")}[action]
    flash(_("Rule %(name)s: %(done)s.", name=repr(name), done=done), "info")
    return redirect(url_for("alerts.index"))


@bp.route("/alerts/test", methods=["POST"])
@queue_access
def send_test() -> Any:
    """A test message along a rule's targets, to check the channel before it matters."""
    _may_manage()
    settings = get_settings()
    name = request.form.get("rule", "")
    with get_db().write() as session:
        rules = {r.name: r for r in config_rules(settings)}
        for row in alert_store.page_rules(session):
            if (rule := page_rule(row, settings)) is not None:
                rules[row.name] = rule
        rule = rules.get(name)
        if rule is None:
            abort(404, f"There is no alert rule {name!r}.")
        now = utcnow()
        alert_store.raise_alerts(
            session,
            [alert_store.NewAlert(
                key=f"test:{uuid.uuid4().hex}", event=rule.event, rule=f"test:{rule.name}",
                subject=f"Test alert for rule {rule.name}",
                body=f"{user().name} sent this test from the Alerts page. If you read it, "
                "alerts of this rule reach you here.",
                targets=rule.notify, not_before=now, urgent=True,
            )],
            now,
        )  # fmt: skip
    flash(_("Test alert for %(name)s queued; a worker sends it within seconds.", name=repr(name)),
          "info")  # fmt: skip
    return redirect(url_for("alerts.index"))


@bp.route("/alerts/retry", methods=["POST"])
@queue_access
def retry() -> Any:
    _may_manage()
    ids = [int(i) for i in request.form.getlist("delivery") if i.isdigit()]
    with get_db().write() as session:
        count = alert_store.retry_failed(session, ids or None)
    flash(ngettext("%(num)d failed delivery will be tried again.",
                   "%(num)d failed deliveries will be tried again.", count), "info")  # fmt: skip
    return redirect(url_for("alerts.index"))
