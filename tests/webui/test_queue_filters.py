"""Finding things in a queue: search, filters, sort, pages that keep the filters, and the CSV
export of exactly the filtered view (safe to open in a spreadsheet)."""

from __future__ import annotations

import csv
import io
import re
import threading
from collections.abc import Callable
from typing import cast

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from monitor.config import Settings
from monitor.sources.base import Item
from monitor.store.db import Database
from tests.webui.conftest import collect
from webui.queue import Shared


def _rows(page: str) -> list[str]:
    return re.findall(r'data-mention-id="(\d+)"', page)


def test_search_finds_words_in_title_or_text(login: Callable[[str], FlaskClient]) -> None:
    admin = login("admin")
    page = admin.get("/queue/webcare?q=ADRES").get_data(as_text=True)
    assert len(_rows(page)) == 1 and "adres wijzigen" in page
    assert 'value="ADRES"' in page  # the box keeps what was typed
    nothing = admin.get("/queue/webcare?q=100%25_korting").get_data(as_text=True)
    assert _rows(nothing) == [] and "with these filters" in nothing


def test_filters_combine_and_bad_values_are_explained(
    login: Callable[[str], FlaskClient],
) -> None:
    admin = login("admin")
    press = admin.get("/queue/spokesperson?priority=high&period=24h&source=social&language=nl")
    assert len(_rows(press.get_data(as_text=True))) == 1
    assert _rows(admin.get("/queue/spokesperson?source=elsewhere").get_data(as_text=True)) == []
    for query, message in (
        ("sort=loudest", "unknown sort"),
        ("period=1y", "Unknown period"),
        ("priority=urgent", "Unknown priority"),
        ("category=rant", "unknown category"),
    ):
        response = admin.get(f"/queue/webcare?{query}")
        assert response.status_code == 400, query
        assert message in response.get_data(as_text=True)


def test_sorting_by_priority_puts_the_urgent_first(
    login: Callable[[str], FlaskClient], db: Database
) -> None:
    admin = login("admin")
    page = admin.get("/queue/webcare?status=all&sort=priority").get_data(as_text=True)
    shown = [int(p) for p in re.findall(r'title="Priority (\d+)"', page)]
    assert len(shown) >= 2 and shown == sorted(shown, reverse=True)


def test_the_export_is_the_filtered_view_and_neutralises_formulas(
    app: Flask, login: Callable[[str], FlaskClient], db: Database, settings: Settings
) -> None:
    collect(db, settings, Item("f1", "https://social.example/f1",
                               '=HYPERLINK("http://evil.example")',
                               "Stroomlijn vraag: hoe kan ik mijn adres doorgeven?"))  # fmt: skip
    admin = login("admin")
    response = admin.get("/queue/webcare/export.csv?status=all&q=adres&sort=oldest")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    records = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["url"] for r in records] == [
        "https://social.example/q1",
        "https://social.example/f1",
    ]
    assert records[1]["title"] == '\'=HYPERLINK("http://evil.example")'
    assert {"id", "category", "status", "assignee", "team"} <= set(records[0])
    # The page links to the export with the filters it shows.
    page = admin.get("/queue/webcare?q=adres&sort=oldest").get_data(as_text=True)
    assert "/queue/webcare/export.csv?q=adres&amp;sort=oldest" in page
    assert login("rita").get("/queue/webcare/export.csv").status_code == 403


def test_queue_counts_are_shared_for_a_moment_then_counted_again(
    db: Database, settings: Settings
) -> None:
    from monitor.store.mentions import open_counts_by_team

    shared = Shared(60, open_counts_by_team)
    with db.read() as session:
        first = shared.get(session)
    collect(db, settings, Item("n1", "https://social.example/n1", "",
                               "Stroomlijn, waar blijft mijn pas?"))  # fmt: skip
    with db.read() as session:
        assert shared.get(session) == first  # within the moment: shared
        shared.ttl = 0
        later = shared.get(session)
    assert sum(later.values()) == sum(first.values()) + 1


def test_when_shared_counts_are_stale_one_request_counts_and_the_others_use_the_last() -> None:
    counting, release, calls = threading.Event(), threading.Event(), []

    def slow_count(_: Session) -> int:
        calls.append(1)
        if len(calls) == 2:  # the second count: hold it while another request asks
            counting.set()
            release.wait(10)
        return len(calls)

    shared, session = Shared(0, slow_count), cast(Session, None)  # the loader ignores it
    assert shared.get(session) == 1
    results: list[int] = []
    worker = threading.Thread(target=lambda: results.append(shared.get(session)))
    worker.start()
    assert counting.wait(10)
    assert shared.get(session) == 1  # not a third count: the last value
    release.set()
    worker.join(10)
    assert results == [2] and len(calls) == 2
    assert shared.get(session) == 3  # nobody counting: counted again


def test_a_count_that_fails_lets_the_next_request_count_again() -> None:
    attempts: list[int] = []

    def flaky_count(_: Session) -> int:
        attempts.append(1)
        if len(attempts) == 2:
            raise RuntimeError("database restarting")
        return len(attempts)

    shared, session = Shared(0, flaky_count), cast(Session, None)  # the loader ignores it
    assert shared.get(session) == 1
    with pytest.raises(RuntimeError):
        shared.get(session)
    assert shared.get(session) == 3
