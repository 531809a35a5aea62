"""SLA clocks in business hours: schedules, nights, weekends, holidays, DST, states."""

from __future__ import annotations

import time as stopwatch
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.sla import BusinessHours, Period, SlaClock, Target, human_remaining, sla_clock

AMS = ZoneInfo("Europe/Amsterdam")
HOUR = 3600.0
OFFICE = BusinessHours.parse("mon-fri 08:30-17:30", AMS)
ALWAYS = BusinessHours.parse("24/7", AMS)


def ams(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMS)


def week(*groups: tuple[str, tuple[Period, ...]]) -> tuple[tuple[Period, ...], ...]:
    """A schedule from (weekday digits, periods) pairs, 0 = Monday."""
    by_day = {int(d): periods for days, periods in groups for d in days}
    return tuple(by_day.get(d, ()) for d in range(7))


def hhmm(start: int, end: int) -> Period:
    return time(start // 100, start % 100), time(end // 100 % 24, end % 100)


@pytest.mark.parametrize(
    ("spec", "schedule"),
    [
        ("24/7", week(("0123456", (hhmm(0, 2400),)))),
        ("mon-fri 08:30-17:30", week(("01234", (hhmm(830, 1730),)))),
        ("Ma-Vr 8:30 - 17:30", week(("01234", (hhmm(830, 1730),)))),
        (
            "mon-fri 09:00-17:00, sat 10:00-14:00",
            week(("01234", (hhmm(900, 1700),)), ("5", (hhmm(1000, 1400),))),
        ),
        ("mon,wed,fri 09:00-12:00", week(("024", (hhmm(900, 1200),)))),
        ("za-zo 20:00-24:00", week(("56", (hhmm(2000, 2400),)))),
        ("di 09:00-12:00, 13:00-17:00", week(("1", (hhmm(900, 1200), hhmm(1300, 1700))))),
    ],
)
def test_schedules_are_read_in_english_and_dutch(spec: str, schedule: object) -> None:
    assert BusinessHours.parse(spec, AMS).schedule == schedule


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("mon-fry 9-5", "unknown day 'fry'"),
        ("mon-fri 17:30-08:30", "ends before it starts"),
        ("mon-fri 08:30-25:00", "bad time '25:00'"),
        ("mon-fri 9-17", "bad time '9'"),
        ("mon-fri 08:70-17:00", "bad time '08:70'"),
        ("mon-fri 24:00-24:00", "starts at 24:00"),
        ("mon-fri", "days 'mon-fri' have no hours"),
        ("09:00-17:00 mon", "has no days before it"),
        ("fri-mon 09:00-17:00", "runs backwards"),
        ("mon-fri 09:00-17:00, mon 12:00-13:00", "periods on mon overlap"),
        ("", "no business hours"),
    ],
)
def test_malformed_schedules_are_refused_naming_the_bad_part(spec: str, problem: str) -> None:
    with pytest.raises(ValueError, match="expected periods such as") as error:
        BusinessHours.parse(spec, AMS)
    assert problem in str(error.value) and repr(spec) in str(error.value)


def test_a_schedule_that_is_never_open_is_refused() -> None:
    with pytest.raises(ValueError, match="no business hours"):
        BusinessHours(AMS, ((),) * 7)


def test_time_inside_a_period_simply_passes_and_the_due_time_is_given_in_utc() -> None:
    due = OFFICE.add(ams(2026, 6, 3, 10, 0), 2 * HOUR)
    assert due == ams(2026, 6, 3, 12, 0) and due.tzinfo is UTC


def test_the_clock_stops_overnight() -> None:
    assert OFFICE.add(ams(2026, 6, 3, 16, 30), 2 * HOUR) == ams(2026, 6, 4, 9, 30)


def test_the_clock_stops_over_the_weekend() -> None:
    assert OFFICE.add(ams(2026, 6, 5, 17, 0), HOUR) == ams(2026, 6, 8, 9, 0)


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (ams(2026, 6, 3, 6, 0), ams(2026, 6, 3, 9, 30)),  # before opening
        (ams(2026, 6, 3, 20, 0), ams(2026, 6, 4, 9, 30)),  # after closing
        (ams(2026, 6, 6, 12, 0), ams(2026, 6, 8, 9, 30)),  # on Saturday
    ],
)
def test_a_mention_outside_hours_starts_its_clock_at_the_next_opening(
    start: datetime, due: datetime
) -> None:
    assert OFFICE.add(start, HOUR) == due
    assert OFFICE.add(start, 0) == due - timedelta(hours=1)


def test_a_target_ending_at_closing_time_is_due_at_closing_not_next_morning() -> None:
    assert OFFICE.add(ams(2026, 6, 3, 8, 30), 9 * HOUR) == ams(2026, 6, 3, 17, 30)


def test_no_business_time_passes_on_a_holiday() -> None:
    kings_day = BusinessHours.parse("mon-fri 08:30-17:30", AMS, [date(2026, 4, 27)])
    assert kings_day.add(ams(2026, 4, 24, 17, 0), HOUR) == ams(2026, 4, 28, 9, 0)
    assert kings_day.between(ams(2026, 4, 27, 0, 0), ams(2026, 4, 28, 0, 0)) == 0


def test_office_hours_keep_their_wall_clock_times_across_both_dst_changes() -> None:
    assert OFFICE.add(ams(2026, 3, 27, 17, 0), HOUR) == ams(2026, 3, 30, 9, 0)
    assert OFFICE.add(ams(2026, 10, 23, 17, 0), HOUR) == ams(2026, 10, 26, 9, 0)
    assert OFFICE.between(ams(2026, 3, 27, 17, 0), ams(2026, 3, 30, 9, 0)) == HOUR


def test_a_round_the_clock_schedule_counts_real_time_through_dst_changes() -> None:
    assert ALWAYS.add(ams(2026, 3, 29, 0, 0), 4 * HOUR) == ams(2026, 3, 29, 5, 0)
    assert ALWAYS.add(ams(2026, 10, 25, 0, 0), 4 * HOUR) == ams(2026, 10, 25, 3, 0)
    assert ALWAYS.between(ams(2026, 3, 29, 0, 0), ams(2026, 3, 30, 0, 0)) == 23 * HOUR
    assert ALWAYS.between(ams(2026, 10, 25, 0, 0), ams(2026, 10, 26, 0, 0)) == 25 * HOUR


def test_night_periods_shrink_and_grow_with_the_hour_the_clocks_skip_or_repeat() -> None:
    night = BusinessHours.parse("sun 01:00-04:00", AMS)
    assert night.between(ams(2026, 3, 28, 0, 0), ams(2026, 3, 30, 0, 0)) == 2 * HOUR
    assert night.between(ams(2026, 10, 24, 0, 0), ams(2026, 10, 26, 0, 0)) == 4 * HOUR


def test_a_period_starting_in_the_skipped_hour_opens_when_the_clocks_jump() -> None:
    night = BusinessHours.parse("sun 02:30-05:00", AMS)
    assert night.add(ams(2026, 3, 28, 12, 0), 0) == ams(2026, 3, 29, 3, 0)
    assert night.between(ams(2026, 3, 28, 0, 0), ams(2026, 3, 30, 0, 0)) == 2 * HOUR


def test_long_targets_skip_whole_weeks_and_land_on_office_hours_after_dst_and_holidays() -> None:
    ten_weeks = 10 * 5 * 9 * HOUR
    assert OFFICE.add(ams(2026, 3, 2, 8, 30), ten_weeks) == ams(2026, 5, 8, 17, 30)
    kings_day = BusinessHours.parse("mon-fri 08:30-17:30", AMS, [date(2026, 4, 27)])
    assert kings_day.add(ams(2026, 3, 2, 8, 30), ten_weeks) == ams(2026, 5, 11, 17, 30)
    began = stopwatch.perf_counter()
    OFFICE.add(ams(2026, 1, 1, 0, 0), 365 * 86400)
    assert stopwatch.perf_counter() - began < 0.5


def test_naive_datetimes_and_negative_seconds_are_refused_and_backwards_spans_are_empty() -> None:
    assert OFFICE.between(ams(2026, 6, 3, 12, 0), ams(2026, 6, 3, 11, 0)) == 0
    with pytest.raises(ValueError, match="aware"):
        OFFICE.add(datetime(2026, 6, 3, 12, 0), HOUR)
    with pytest.raises(ValueError, match="not negative"):
        OFFICE.add(ams(2026, 6, 3, 12, 0), -1)


starts = st.datetimes(
    min_value=datetime(2025, 1, 1),
    max_value=datetime(2027, 12, 31),
    timezones=st.sampled_from([UTC, AMS]),
    allow_imaginary=False,
)
business_seconds = st.floats(min_value=0, max_value=30 * 86400, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(start=starts, seconds=business_seconds)
def test_time_between_a_start_and_its_due_time_is_the_time_added(
    start: datetime, seconds: float
) -> None:
    assert OFFICE.between(start, OFFICE.add(start, seconds)) == pytest.approx(seconds, abs=1e-3)


@settings(max_examples=200, deadline=None)
@given(start=starts, a=business_seconds, b=business_seconds)
def test_more_business_time_is_never_due_earlier(start: datetime, a: float, b: float) -> None:
    assert OFFICE.add(start, min(a, b)) <= OFFICE.add(start, max(a, b))


def clock(done_at: datetime | None, now: datetime, deadline_at: datetime | None = None) -> SlaClock:
    result = sla_clock(
        kind="first_response",
        started_at=ams(2026, 6, 3, 9, 0),
        target_seconds=Target(first_response=4 * HOUR, resolution=None).seconds("first_response"),
        hours=OFFICE,
        done_at=done_at,
        now=now,
        deadline_at=deadline_at,
    )
    assert result is not None
    return result


@pytest.mark.parametrize(
    ("done_at", "now", "state", "used"),
    [
        (None, ams(2026, 6, 3, 10, 0), "ok", 0.25),
        (None, ams(2026, 6, 3, 12, 0), "warning", 0.75),
        (None, ams(2026, 6, 3, 14, 0), "breached", 1.25),
        (ams(2026, 6, 3, 12, 30), ams(2026, 6, 4, 9, 0), "met", 0.875),
        (ams(2026, 6, 3, 14, 0), ams(2026, 6, 4, 9, 0), "breached", 1.25),
    ],
)
def test_sla_clocks_move_from_ok_to_warning_to_breached_unless_met(
    done_at: datetime | None, now: datetime, state: str, used: float
) -> None:
    result = clock(done_at, now)
    assert (result.state, result.used, result.due_at) == (state, used, ams(2026, 6, 3, 13, 0))


def test_remaining_time_is_wall_clock_time_to_the_due_time_and_negative_when_late() -> None:
    assert clock(None, ams(2026, 6, 3, 11, 0)).remaining == 2 * HOUR
    assert clock(None, ams(2026, 6, 3, 14, 10)).remaining == -70 * 60


def test_a_journalists_deadline_replaces_the_target_and_runs_outside_office_hours() -> None:
    result = clock(None, ams(2026, 6, 3, 11, 0), deadline_at=ams(2026, 6, 3, 11, 30))
    assert (result.due_at, result.used, result.state) == (ams(2026, 6, 3, 11, 30), 0.8, "warning")
    late_evening = sla_clock(
        kind="resolution",
        started_at=ams(2026, 6, 5, 17, 0),
        target_seconds=None,
        hours=OFFICE,
        done_at=ams(2026, 6, 5, 21, 0),
        now=ams(2026, 6, 6, 9, 0),
        deadline_at=ams(2026, 6, 5, 22, 0),
    )
    assert late_evening is not None
    assert (late_evening.state, late_evening.used) == ("met", 0.8)


def test_there_is_no_clock_without_a_target_or_a_deadline() -> None:
    target = Target(first_response=HOUR, resolution=None).seconds("resolution")
    start, now = ams(2026, 6, 3, 9, 0), ams(2026, 6, 3, 10, 0)
    result = sla_clock(
        kind="resolution",
        started_at=start,
        target_seconds=target,
        hours=OFFICE,
        done_at=None,
        now=now,
    )
    assert result is None


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (2 * HOUR + 5 * 60, "2 h 05 min left"),
        (40 * 60 + 30, "40 min left"),
        (-(HOUR + 10 * 60), "1 h 10 min late"),
        (-(3 * 86400 + 4 * HOUR), "3 d 4 h late"),
    ],
)
def test_remaining_time_reads_as_a_short_phrase(seconds: float, text: str) -> None:
    assert human_remaining(seconds) == text
