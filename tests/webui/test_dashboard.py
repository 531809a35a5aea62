"""The dashboard page: charts drawn as SVG with the figures in their titles, for people who may
read the queues."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient


def test_the_dashboard_draws_what_came_in_and_the_backlog(
    login: Callable[[str], FlaskClient],
) -> None:
    page = login("vera").get("/dashboard?days=7").get_data(as_text=True)
    assert "4 mentions in the last 7 days · 4 open" in page
    assert page.count("<svg") == 3
    assert "<title>social: 4 (100%)</title>" in page
    assert "1 journalist inquiry</title>" in page
    # Everything is fresh: each team's open mentions are in the first age band.
    webcare = re.search(r'data-team-count="webcare">(\d+)<', page)
    assert webcare is not None
    assert f"<title>Webcare: {webcare.group(1)} under 1 h</title>" in page
    assert 'class="bar bar-age0"' in page and 'class="bar bar-age1"' not in page
    assert '<tr data-team="spokesperson">' in page


def test_the_period_is_checked_and_reporters_are_kept_out(
    login: Callable[[str], FlaskClient],
) -> None:
    admin = login("admin")
    response = admin.get("/dashboard?days=365")
    assert response.status_code == 400 and "7, 14, 30, 90" in response.get_data(as_text=True)
    assert login("rita").get("/dashboard").status_code == 403
