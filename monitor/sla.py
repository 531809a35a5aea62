"""Service-level targets for mentions, counted in business hours: due times, time used, state."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Literal
from zoneinfo import ZoneInfo

SlaKind = Literal["first_response", "resolution"]
SlaState = Literal["ok", "warning", "breached", "met"]
Period = tuple[time, time]

DAY = 86400
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAYS = {name: i for i, name in enumerate(DAY_NAMES)} | {
    name: i for i, name in enumerate(("ma", "di", "wo", "do", "vr", "za", "zo"))
}
EXAMPLE = '"mon-fri 08:30-17:30"'
TIME = re.compile(r"(\d{1,2}):(\d{2})")


def _day_seconds(start: time, end: time) -> tuple[float, float]:
    def seconds(t: time) -> float:
        return t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6

    # A period cannot end before it starts, so an end of 00:00 can only mean midnight (24:00).
    return seconds(start), seconds(end) or DAY


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"need an aware datetime, got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class BusinessHours:
    """Open periods per weekday (0 = Monday) in local wall time; an end of 00:00 means 24:00."""

    zone: ZoneInfo
    schedule: tuple[tuple[Period, ...], ...]
    holidays: frozenset[date] = frozenset()
    _spans: tuple[tuple[tuple[float, float], ...], ...] = field(
        init=False, repr=False, compare=False
    )
    _weekly: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.schedule) != 7:
            raise ValueError(f"need periods for 7 weekdays, got {len(self.schedule)}")
        spans = tuple(tuple(_day_seconds(*p) for p in day) for day in self.schedule)
        for name, day in zip(DAY_NAMES, spans, strict=True):
            if any(start >= end for start, end in day):
                raise ValueError(f"a period on {name} ends before it starts")
            if any(a[1] > b[0] for a, b in pairwise(day)):
                raise ValueError(f"periods on {name} overlap or are out of order")
        weekly = sum(end - start for day in spans for start, end in day)
        if weekly <= 0:
            raise ValueError("no business hours: the schedule is never open")
        object.__setattr__(self, "_spans", spans)
        object.__setattr__(self, "_weekly", weekly)

    @classmethod
    def parse(cls, spec: str, zone: ZoneInfo, holidays: Iterable[date] = ()) -> BusinessHours:
        """Read "24/7", "mon-fri 08:30-17:30", "ma-vr 08:00-18:00, za 10:00-14:00" and the like."""
        text = re.sub(r"\s*[-–]\s*", "-", spec.strip().lower())
        if text == "24/7":
            always: tuple[Period, ...] = ((time(0), time(0)),)
            return cls(zone, (always,) * 7, frozenset(holidays))
        if not text:
            raise ValueError(f"no business hours: expected periods such as {EXAMPLE}, got {spec!r}")

        def bad(problem: str) -> ValueError:
            return ValueError(f"{problem}: expected periods such as {EXAMPLE}, got {spec!r}")

        days: list[list[Period]] = [[] for _ in range(7)]
        current: set[int] = set()
        has_period = False
        tokens = [t for t in re.split(r"[\s,]+", text) if t]
        if not tokens:
            raise bad("no business hours")
        for token in tokens:
            if token[0].isalpha():
                if has_period:
                    current, has_period = set(), False
                current |= _parse_days(token, bad)
            elif not current:
                raise bad(f"period {token!r} has no days before it")
            else:
                period = _parse_period(token, bad)
                for d in current:
                    days[d].append(period)
                has_period = True
        if not has_period:
            raise bad(f"days {tokens[-1]!r} have no hours after them")
        try:
            return cls(zone, tuple(tuple(sorted(d)) for d in days), frozenset(holidays))
        except ValueError as e:
            raise bad(str(e)) from None

    def add(self, start: datetime, seconds: float) -> datetime:
        """The UTC moment when `seconds` of business time have passed since `start`."""
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"business seconds must be finite and not negative, got {seconds}")
        cur, remaining = _utc(start), float(seconds)
        day = cur.astimezone(self.zone).date()
        while True:
            if remaining > self._weekly and self._instant(day, 0) >= cur:
                week_end = self._plain_week_end(day)
                if week_end is not None:
                    remaining -= self._weekly
                    cur, day = week_end, day + timedelta(days=7)
                    continue
            for opens, closes in self._periods(day):
                lo = max(opens, cur)
                if closes <= lo:
                    continue
                available = (closes - lo).total_seconds()
                if remaining <= available:
                    return lo + timedelta(seconds=remaining)
                remaining -= available
                cur = closes
            day += timedelta(days=1)

    def between(self, start: datetime, end: datetime) -> float:
        """Business seconds from `start` to `end`; 0 when `end` is not after `start`."""
        start, end = _utc(start), _utc(end)
        total = 0.0
        day = start.astimezone(self.zone).date()
        while (midnight := self._instant(day, 0)) < end:
            if midnight >= start:
                week_end = self._plain_week_end(day)
                if week_end is not None and week_end <= end:
                    total += self._weekly
                    day += timedelta(days=7)
                    continue
            for opens, closes in self._periods(day):
                lo, hi = max(opens, start), min(closes, end)
                if hi > lo:
                    total += (hi - lo).total_seconds()
            day += timedelta(days=1)
        return total

    def _periods(self, day: date) -> list[tuple[datetime, datetime]]:
        if day in self.holidays:
            return []
        return [
            (self._instant(day, a), self._instant(day, b)) for a, b in self._spans[day.weekday()]
        ]

    def _plain_week_end(self, day: date) -> datetime | None:
        """The end of the 7 days from `day` if they hold exactly the nominal weekly hours."""
        if any(day + timedelta(days=i) in self.holidays for i in range(7)):
            return None
        end = self._instant(day + timedelta(days=7), 0)
        # A clock change inside the week makes it longer or shorter than 7 x 24 h; no zone
        # changes its clocks and back again within one week.
        return end if end - self._instant(day, 0) == timedelta(days=7) else None

    def _instant(self, day: date, seconds: float) -> datetime:
        """The first moment the local clock shows `seconds` past midnight of `day`, in UTC."""
        wall = datetime.combine(day, time()) + timedelta(seconds=seconds)
        first = wall.replace(tzinfo=self.zone).astimezone(UTC)
        if first.astimezone(self.zone).replace(tzinfo=None) == wall:
            return first  # fold=0 is the first of two readings when clocks go back
        # The clocks jump over this reading, so it is reached at the jump, which lies between
        # the two readings zoneinfo offers; no API exposes the transition itself.
        other = wall.replace(tzinfo=self.zone, fold=1).astimezone(UTC)
        lo, hi = min(first, other), max(first, other)
        while hi - lo > timedelta(microseconds=1):
            mid = lo + (hi - lo) / 2
            if mid.astimezone(self.zone).replace(tzinfo=None) >= wall:
                hi = mid
            else:
                lo = mid
        return hi


def _parse_days(token: str, bad: Callable[[str], ValueError]) -> set[int]:
    first, _, last = token.partition("-")
    for name in (first, last) if last else (first,):
        if name not in DAYS:
            raise bad(f"unknown day {name!r}")
    if not last:
        return {DAYS[first]}
    if DAYS[last] < DAYS[first]:
        raise bad(f"day range {token!r} runs backwards")
    return set(range(DAYS[first], DAYS[last] + 1))


def _parse_period(token: str, bad: Callable[[str], ValueError]) -> Period:
    parts = token.split("-")
    if len(parts) != 2:
        raise bad(f"bad period {token!r}")
    start, end = (_parse_time(p, bad) for p in parts)
    if start is None:
        raise bad(f"period {token!r} starts at 24:00")
    if end is None or end == time(0):
        return start, time(0)  # midnight at the end of the day, see BusinessHours
    if end <= start:
        raise bad(f"period {token!r} ends before it starts")
    return start, end


def _parse_time(text: str, bad: Callable[[str], ValueError]) -> time | None:
    """A time of day, or None for 24:00 (which `time` cannot hold)."""
    match = TIME.fullmatch(text)
    if match is None:
        raise bad(f"bad time {text!r}")
    hour, minute = int(match[1]), int(match[2])
    if (hour, minute) == (24, 0):
        return None
    if hour > 23 or minute > 59:
        raise bad(f"bad time {text!r}")
    return time(hour, minute)


@dataclass(frozen=True)
class Target:
    """Business seconds allowed for each clock; None means no target."""

    first_response: float | None
    resolution: float | None

    def __post_init__(self) -> None:
        for value in (self.first_response, self.resolution):
            if value is not None and not (math.isfinite(value) and value >= 0):
                raise ValueError(f"an SLA target must be a finite number of seconds, got {value}")

    def seconds(self, kind: SlaKind) -> float | None:
        return self.first_response if kind == "first_response" else self.resolution


@dataclass(frozen=True)
class SlaClock:
    """Where one SLA clock stands; `remaining` is wall-clock seconds from done (or now) to due."""

    kind: SlaKind
    due_at: datetime
    used: float
    state: SlaState
    remaining: float


def sla_clock(
    *,
    kind: SlaKind,
    started_at: datetime,
    target_seconds: float | None,
    hours: BusinessHours,
    done_at: datetime | None,
    now: datetime,
    warn_at: float = 0.75,
    deadline_at: datetime | None = None,
) -> SlaClock | None:
    """The clock for one target, or None when there is neither a target nor a deadline.

    A journalist's deadline replaces the target and runs in wall-clock time, because it does not
    wait for the office to open.
    """
    started = _utc(started_at)
    until = _utc(done_at if done_at is not None else now)
    if deadline_at is not None:
        due = _utc(deadline_at)
        allowed = (due - started).total_seconds()
        spent = max((until - started).total_seconds(), 0.0)
    elif target_seconds is not None:
        due = hours.add(started, target_seconds)
        allowed, spent = target_seconds, hours.between(started, until)
    else:
        return None
    # An empty window is used up the moment it opens.
    used = spent / allowed if allowed > 0 else 1.0
    state: SlaState
    if done_at is not None:
        state = "met" if until <= due else "breached"
    elif until > due:
        state = "breached"
    else:
        state = "warning" if used >= warn_at else "ok"
    return SlaClock(kind, due, used, state, (due - until).total_seconds())


def open_clock(
    *,
    target: Target,
    hours: BusinessHours,
    started_at: datetime,
    first_response_at: datetime | None,
    now: datetime,
    warn_at: float = 0.75,
    deadline_at: datetime | None = None,
) -> SlaClock | None:
    """The clock that matters for an open item: the first response until there is one, then
    the resolution."""
    kind: SlaKind = "first_response" if first_response_at is None else "resolution"
    clock = sla_clock(kind=kind, started_at=started_at, target_seconds=target.seconds(kind),
                      hours=hours, done_at=None, now=now, warn_at=warn_at,
                      deadline_at=deadline_at)  # fmt: skip
    if clock is None and kind == "first_response":  # no first-response target: resolution
        return open_clock(target=target, hours=hours, started_at=started_at,
                          first_response_at=started_at, now=now, warn_at=warn_at,
                          deadline_at=deadline_at)  # fmt: skip
    return clock


def remaining_parts(seconds: float) -> tuple[int, int, int]:
    """Days, hours and minutes of a time left or overdue (the sign is the caller's)."""
    minutes = int(abs(seconds) // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    return days, hours, minutes


def human_remaining(seconds: float) -> str:
    """Time left or overdue, short enough for a queue row: "2 h 05 min left", "3 d 4 h late".
    In English, for alerts; the web UI says it in the reader's language (webui.filters)."""
    days, hours, minutes = remaining_parts(seconds)
    if days:
        amount = f"{days} d {hours} h"
    elif hours:
        amount = f"{hours} h {minutes:02d} min"
    else:
        amount = f"{minutes} min"
    return f"{amount} {'late' if seconds < 0 else 'left'}"
