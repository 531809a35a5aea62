"""Journalists' deadlines are read from the text, in Dutch and English."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.deadlines import find_deadline

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=AMS)  # a Monday morning


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=AMS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Graag een reactie voor 16.00 uur", _at(23, 16)),
        ("Onze deadline is 15:30 vandaag", _at(23, 15, 30)),
        ("Kunt u uiterlijk donderdag reageren?", _at(26, 17)),
        ("deadline morgen, graag een reactie", _at(24, 12)),
        ("We publiceren vanavond, reactie welkom", _at(23, 20)),
        ("Kunt u binnen het uur reageren?", _at(23, 11)),
        ("binnen twee uur graag", _at(23, 12)),
        ("Could your press office comment by 5pm Thursday?", _at(26, 17)),
        ("On deadline: comment by 3:30 pm please", _at(23, 15, 30)),
        ("I'm filing tonight, any statement?", _at(23, 20)),
        ("Need a response before noon tomorrow", _at(24, 12)),
        ("deadline EOD, thanks", _at(23, 17)),
        ("within the hour if possible", _at(23, 11)),
        ("Reactie graag voor 9 uur", _at(24, 9)),  # 9 o'clock has passed: tomorrow morning
        ("we gaan om 17.00 uur live met dit item", _at(23, 17)),
        ("Graag een reactie, deadline vanavond 18.00 uur. #pers", _at(23, 18)),
        ("Can you comment? Deadline Thursday at 5pm", _at(26, 17)),
        # A day in the past is not the deadline; the day with a clock is.
        (
            "Sinds zaterdag is de app stuk. Graag een reactie, deadline vandaag 17.00 uur",
            _at(23, 17),
        ),
        ("The outage started last Friday. Could you comment by Wednesday?", _at(25, 17)),
    ],
)
def test_deadlines_are_found(text: str, expected: datetime) -> None:
    found = find_deadline(text, NOW, AMS)
    assert found is not None, text
    assert found.at == expected
    assert found.phrase


@pytest.mark.parametrize(
    "text",
    [
        "Ik schrijf een artikel over energieprijzen, wilt u reageren?",
        "Graag een reactie van uw woordvoerder",
        "Storing sinds 5 uur vanochtend",
        "",
    ],
)
def test_no_deadline_is_invented(text: str) -> None:
    assert find_deadline(text, NOW, AMS) is None


@given(st.text(max_size=200))
def test_any_text_gives_a_deadline_or_none(text: str) -> None:
    found = find_deadline(text, NOW, AMS)
    assert found is None or found.at.tzinfo is not None
