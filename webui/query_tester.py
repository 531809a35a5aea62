"""The query tester: try a draft brand query on what was collected, mark hits right or wrong,
and see the estimated precision before the query goes into the configuration."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from monitor.errors import QueryError
from monitor.query_tester import TestResult, precision, run_test, term_counts
from webui.auth import queue_access
from webui.context import get_db, get_settings

bp = Blueprint("query_tester", __name__)
SHOWN = 100


@bp.route("/query-tester", methods=["GET", "POST"])
@queue_access
def index() -> Any:
    values = request.form if request.method == "POST" else request.args
    draft = (values.get("q") or "").strip()
    brand = values.get("brand") or None
    settings = get_settings()
    brands = [b.name for b in settings.brands]
    if not draft and brand in brands:
        draft = next(b.query for b in settings.brands if b.name == brand)
    result: TestResult | None = None
    error: QueryError | None = None
    with get_db().read() as session:
        if draft:
            try:
                result = run_test(session, draft, brand=brand if brand in brands else None)
            except QueryError as exc:
                error = exc
    marks = {key[6:]: value for key, value in values.items() if key.startswith("judge-")}
    judged = list(marks.values())
    estimate = precision(judged.count("right"), judged.count("wrong"))
    return render_template(
        "query_tester.html",
        draft=draft,
        brand=brand,
        brands=brands,
        result=result,
        hits=result.hits[:SHOWN] if result else [],
        terms=term_counts(result).most_common(12) if result else [],
        error=error,
        marks=marks,
        estimate=estimate,
        team=None,
    )
