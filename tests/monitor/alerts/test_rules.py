"""Which rules an event falls under, when their alerts may go out, and what feed text may do
inside a message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from monitor.alerts.compose import clean
from monitor.alerts.rules import QuietHours, config_rules, not_before
from tests.conftest import make_settings

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _rules(*alerts: dict[str, object], **alerting: object) -> dict[str, object]:
    settings = make_settings("sqlite://", alerts=list(alerts), alerting=alerting)
    return {rule.name: rule for rule in config_rules(settings)}


def test_journalist_inquiries_go_at_once_and_through_quiet_hours_by_default() -> None:
    rules = _rules(
        {"name": "press", "category": "journalist_inquiry", "notify": ["json://h/p"]},
        {"name": "complaints", "category": "complaint", "notify": ["json://h/c"]},
        {"name": "down", "event": "blind_spot", "notify": ["json://h/o"]},
        group="10m",
    )
    assert (rules["press"].group, rules["press"].quiet_hours, rules["press"].urgent) == (
        0.0, False, True,
    )  # fmt: skip
    assert (rules["complaints"].group, rules["complaints"].quiet_hours) == (600.0, True)
    assert (rules["down"].group, rules["down"].quiet_hours) == (0.0, True)


def test_a_rule_filters_on_what_the_event_has_and_ignores_what_it_lacks() -> None:
    [rule] = _rules(
        {"name": "r", "category": "complaint", "team": "webcare", "min_priority": 70,
         "notify": ["json://h/x"]},
    ).values()  # fmt: skip
    assert rule.applies("mention", category="complaint", team="webcare", priority=80)
    assert not rule.applies("mention", category="complaint", team="webcare", priority=60)
    assert not rule.applies("mention", category="question", team="webcare", priority=80)
    assert not rule.applies("spike", category="complaint", team="webcare")
    assert rule.applies("mention", category="complaint")  # no team known: the filter passes


def test_quiet_hours_across_midnight_hold_an_alert_until_they_end() -> None:
    quiet = QuietHours.parse("22:00-07:00", AMSTERDAM)
    assert quiet is not None
    late = datetime(2026, 12, 4, 22, 30, tzinfo=AMSTERDAM)
    assert quiet.ends_after(late) == datetime(2026, 12, 5, 7, 0, tzinfo=AMSTERDAM)
    early = datetime(2026, 12, 5, 6, 59, tzinfo=AMSTERDAM)
    assert quiet.ends_after(early) == datetime(2026, 12, 5, 7, 0, tzinfo=AMSTERDAM)
    assert quiet.ends_after(datetime(2026, 12, 5, 7, 0, tzinfo=AMSTERDAM)) is None
    rules = _rules(
        {"name": "press", "category": "journalist_inquiry", "notify": ["json://h/p"]},
        {"name": "complaints", "category": "complaint", "notify": ["json://h/c"]},
        group="5m",
    )
    now = late.astimezone(UTC)
    assert not_before(rules["press"], now, quiet) == now
    assert not_before(rules["complaints"], now, quiet) == datetime(2026, 12, 5, 6, 0, tzinfo=UTC)
    noon = datetime(2026, 12, 5, 11, 0, tzinfo=UTC)
    assert not_before(rules["complaints"], noon, quiet) == noon + timedelta(minutes=5)


@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 1),
                    timezones=st.just(UTC)))  # fmt: skip
def test_an_alert_held_for_quiet_hours_goes_out_when_they_end_never_inside_them(
    moment: datetime,
) -> None:
    quiet = QuietHours.parse("22:00-07:00", AMSTERDAM)
    assert quiet is not None
    end = quiet.ends_after(moment)
    if end is not None:
        assert end > moment and end - moment <= timedelta(hours=10)
        assert quiet.ends_after(end) is None


def test_feed_text_cannot_page_a_whole_chat_workspace_or_smuggle_control_characters() -> None:
    hostile = "Hallo <!channel> <!here> <at>Iedereen</at>\x1b[31m rood\x07 " + "x" * 5000
    cleaned = clean(hostile)
    assert "<!channel>" not in cleaned and "<!here>" not in cleaned and "<at>" not in cleaned
    assert "\x1b" not in cleaned and "\x07" not in cleaned
    assert len(cleaned) <= 1200 and cleaned.endswith("…")
