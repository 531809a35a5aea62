"""A queue's filtered view as CSV: every page of it, in the same order, safe to open in a
spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, stream_with_context

from monitor.store.mentions import EXPORT_FIELDS, iter_export
from monitor.store.models import utcnow
from webui.auth import queue_access
from webui.context import get_db
from webui.queue import lane_filter

bp = Blueprint("queue_export", __name__)

# Spreadsheets run a cell that starts with one of these as a formula; feed text is hostile.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


@bp.route("/queue/<team>/export.csv")
@queue_access
def download(team: str) -> Any:
    """The filtered view as CSV, every page of it, in the same order."""
    f = lane_filter(team)

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=EXPORT_FIELDS)
        writer.writeheader()
        with get_db().read() as session:
            for n, record in enumerate(iter_export(session, f), 1):
                writer.writerow({k: _cell(v) for k, v in record.items()})
                if n % 200 == 0:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
        yield buffer.getvalue()

    stamp = utcnow().strftime("%Y%m%d-%H%M")
    return Response(
        stream_with_context(rows()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="webcare-{team}-{stamp}.csv"'},
    )
