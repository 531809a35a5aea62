"""Reply snippets on the mention page: those for its category and language, ready to copy."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from monitor.config import Settings


@pytest.fixture
def settings(settings_for: Callable[..., Settings]) -> Settings:
    return settings_for(
        [{"name": "social", "url": "https://social.example/feed"}],
        replies=[
            {"name": "We zoeken het uit", "category": "question", "language": "nl",
             "text": "Hoi {author}, we zoeken het uit!"},
            {"name": "We're on it", "category": "question", "language": "en",
             "text": "Hi {author}, we're on it."},
            {"name": "Excuses", "category": "complaint", "text": "Sorry {author}."},
            {"name": "Bedankt <3", "text": "Dank voor je bericht <3"},
        ],
    )  # fmt: skip


def test_the_snippets_that_fit_are_offered_to_those_who_may_answer(
    login: Callable[[str], FlaskClient],
) -> None:
    anne = login("anne")
    items = anne.get("/api/v1/mentions?team=webcare").json["items"]
    question = next(i for i in items if i["url"] == "https://social.example/q1")
    assert (question["category"], question["language"]) == ("question", "nl")
    page = anne.get(f"/mentions/{question['id']}").get_data(as_text=True)
    assert "We zoeken het uit" in page and "Hoi, we zoeken het uit!" in page
    assert "Bedankt &lt;3" in page and "Dank voor je bericht &lt;3" in page  # escaped
    assert "we&#39;re on it" not in page.lower() and "Excuses" not in page
    assert page.count('data-copy="reply-') == 2
    # A viewer cannot answer for the organisation: no snippets.
    assert "data-copy=" not in login("vera").get(f"/mentions/{question['id']}").get_data(
        as_text=True
    )
