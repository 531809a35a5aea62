"""The deadline a journalist gives in the text ("voor 16.00 uur", "deadline morgen", "by 5pm
Thursday", "filing tonight"), as a moment in time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from monitor.query import fold

WEEKDAYS = {
    "maandag": 0, "dinsdag": 1, "woensdag": 2, "donderdag": 3, "vrijdag": 4, "zaterdag": 5,
    "zondag": 6, "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
    "saturday": 5, "sunday": 6, "mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3,
    "thurs": 3, "fri": 4, "sat": 5, "sun": 6,
}  # fmt: skip
# Day words and the hour they mean when no time is given.
DAY_WORDS: dict[str, tuple[int, int]] = {
    "vandaag": (0, 17), "today": (0, 17), "vanmiddag": (0, 15), "this afternoon": (0, 15),
    "vanavond": (0, 20), "tonight": (0, 20), "this evening": (0, 20), "vannacht": (0, 23),
    "morgenochtend": (1, 10), "tomorrow morning": (1, 10), "morgenmiddag": (1, 15),
    "tomorrow afternoon": (1, 15), "morgenavond": (1, 20), "tomorrow evening": (1, 20),
    "tomorrow night": (1, 20), "morgen": (1, 12), "tomorrow": (1, 12), "overmorgen": (2, 12),
    "end of day": (0, 17), "eod": (0, 17), "einde van de dag": (0, 17), "eind van de dag": (0, 17),
    "end of business": (0, 17), "cob": (0, 17), "close of business": (0, 17),
    "deze week": (-1, 17), "this week": (-1, 17),
}  # fmt: skip
NUMBERS = {"een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "an": 1, "a": 1, "one": 1,
           "two": 2, "three": 3, "four": 4, "half": 0}  # fmt: skip

_CUE = (
    r"(?:deadline(?: is| van| op)?|voor|vóór|uiterlijk|uiterlijk om|om|by|before|no later than|"
    r"until|till|filing(?: at| by)?|due(?: at| by)?|tegen|rond)"
)
_CLOCK = (
    r"(?P<hour>[01]?\d|2[0-3])(?:[.:h](?P<minute>[0-5]\d))?\s*(?P<ampm>a\.?m\.?|p\.?m\.?)?"
    r"(?:\s*(?:uur|u\b|hrs|hours|h\b))?"
)
_TIME = re.compile(rf"\b{_CUE}\s+{_CLOCK}", re.IGNORECASE)
# A clock right after a day word: "deadline vanavond 18.00 uur", "Thursday at 5pm".
_CLOCK_AFTER_DAY = re.compile(rf"\s*,?\s*(?:om|at|rond|tegen)?\s*{_CLOCK}", re.IGNORECASE)
_NOON = re.compile(
    r"\b(?:by|before|voor|om|tegen)\s+"
    r"(?P<word>noon|midday|middag|12 uur 's middags|midnight|middernacht)\b",
    re.IGNORECASE,
)
_WITHIN = re.compile(
    r"\b(?:binnen|within|in the next|in de komende)\s+(?:het|the|an?|een|één)?\s*"
    r"(?P<count>\d+|een|één|twee|drie|vier|half|an|a|one|two|three|four)?\s*"
    r"(?P<unit>uur|uren|hour|hours|minuten|minutes|min|kwartier)\b",
    re.IGNORECASE,
)
_DAY = re.compile(
    r"\b(?P<day>"
    + "|".join(sorted((re.escape(w) for w in DAY_WORDS), key=len, reverse=True))
    + r"|"
    + "|".join(sorted(WEEKDAYS, key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)
_DEADLINE_WORDS = re.compile(
    r"\b(deadline|voor|vóór|uiterlijk|by|before|filing|due|tegen|binnen|within|publiceren|"
    r"publish|uitzending|broadcast|live|gaan we|going)\b",
    re.IGNORECASE,
)


# A day named after one of these is in the past: "sinds dinsdag", "since Monday".
_PAST = re.compile(r"\b(?:sinds|since|afgelopen|vorige|vorig|last|past)\s+$", re.IGNORECASE)


@dataclass(frozen=True)
class Deadline:
    at: datetime  # aware
    phrase: str


def _hour(match: re.Match[str]) -> tuple[int, int]:
    hour, minute = int(match.group("hour")), int(match.group("minute") or 0)
    ampm = (match.group("ampm") or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    elif not ampm and 1 <= hour <= 7 and not match.group("minute"):
        hour += 12  # "by 5" in a newsroom means the afternoon
    return hour, minute


def _day_offset(word: str, today: int) -> tuple[int, int | None]:
    """Days from today and the default hour for a day word or a weekday."""
    key = fold(word).lower()
    if key in DAY_WORDS:
        offset, hour = DAY_WORDS[key]
        if offset == -1:  # "this week": Friday
            offset = (4 - today) % 7
        return offset, hour
    weekday = WEEKDAYS[key]
    return (weekday - today) % 7 or 7, 17


def _pick_day(text: str) -> tuple[re.Match[str] | None, re.Match[str] | None]:
    """The day the deadline is on, and a clock right after it: a day with a clock wins over
    one without ("sinds dinsdag ... deadline vandaag 17.00 uur"); days in the past never
    count."""
    days = [
        d for d in _DAY.finditer(text) if not _PAST.search(text[max(0, d.start() - 12) : d.start()])
    ]
    for day in days:
        after = _CLOCK_AFTER_DAY.match(text, day.end())
        if after and after.group("hour"):
            return day, after
    return (days[0], None) if days else (None, None)


def find_deadline(text: str, now: datetime, tz: ZoneInfo) -> Deadline | None:
    """The first deadline the text gives, resolved against `now` in the organisation's zone."""
    if not _DEADLINE_WORDS.search(text):
        return None
    local = now.astimezone(tz)
    within = _WITHIN.search(text)
    if within:
        unit = within.group("unit").lower()
        raw = (within.group("count") or "1").lower()
        count = int(raw) if raw.isdigit() else NUMBERS.get(raw, 1)
        if unit == "kwartier":
            delta = timedelta(minutes=15 * count)
        elif unit.startswith("min"):
            delta = timedelta(minutes=count)
        else:
            delta = timedelta(minutes=30) if raw == "half" else timedelta(hours=count)
        return Deadline(now + delta, within.group(0).strip())
    clock = _TIME.search(text)
    noon = _NOON.search(text)
    day, after = _pick_day(text)
    if day and not clock and after:
        clock = after
    if not (clock or noon or day):
        return None
    offset, default_hour = _day_offset(day.group("day"), local.weekday()) if day else (0, None)
    if clock:
        hour, minute = _hour(clock)
    elif noon:
        hour, minute = (
            (0, 0) if noon.group("word").lower() in ("midnight", "middernacht") else (12, 0)
        )
        if hour == 0 and not day:
            offset = 1
    else:
        hour, minute = default_hour or 17, 0
    date = local.date() + timedelta(days=offset)
    moment = datetime.combine(date, time(hour, minute), tzinfo=tz)
    if moment <= local and not day:
        moment += timedelta(days=1)  # "voor 10 uur" said at noon means tomorrow
    phrase = " … ".join(m.group(0).strip() for m in (day, clock or noon) if m)
    return Deadline(moment, phrase)
