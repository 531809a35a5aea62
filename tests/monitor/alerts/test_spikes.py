"""Spike detection: the baseline a burst is judged against, when it opens and closes, its words."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from monitor.alerts.spikes import (
    STOP_WORDS,
    SpikeRule,
    baseline,
    baseline_windows,
    examples,
    judge,
    top_terms,
)

HOUR = timedelta(hours=1)
RULE = SpikeRule(margin=2.0, min_count=10, end_ratio=1.2, min_baseline=1.0)
USUAL = [9, 11, 10, 10, 9, 11, 13]  # baseline 10: a spike starts above 20 and ends at 12 or less

OUTAGE = [
    "Storing bij KPN? Al een uur geen internet hier in Utrecht",
    "Weer een storing, internet ligt er helemaal uit",
    "Is er een storing? Mijn internet doet het niet",
    "KPN internet plat in Amsterdam, storing al sinds 9 uur",
    "Grote storing vandaag. Thuiswerken zonder internet lukt niet",
    "Internet eruit, wanneer is deze storing voorbij? https://t.co/abc123",
]
ORDINARY = [
    "Mijn factuur van KPN klopt niet, twee keer betaald",
    "Nieuwe telefoon besteld bij KPN, snelle levering",
    "Fijn geholpen in de winkel van KPN vandaag",
    "Snel internet bij KPN, erg tevreden",
    "Wanneer komt de monteur voor de glasvezel?",
    "Abonnement opgezegd, nog steeds een factuur gekregen",
    "KPN klantenservice was vriendelijk en snel",
    "Hoe zet ik mijn voicemail uit?",
]


def test_baseline_windows_are_each_earlier_day_and_weekday_once_newest_first() -> None:
    end = datetime(2024, 6, 28, 15)
    windows = baseline_windows(end, HOUR, days=7, weeks=4)
    ends = [window_end for _, window_end in windows]
    assert [(end - e).days for e in ends] == [1, 2, 3, 4, 5, 6, 7, 14, 21, 28]
    assert all(window_end - start == HOUR for start, window_end in windows)
    assert len(set(windows)) == len(windows)


def test_baseline_windows_keep_the_local_hour_across_a_clock_change() -> None:
    end = datetime(2024, 4, 1, 10, tzinfo=ZoneInfo("Europe/Amsterdam"))
    start, window_end = baseline_windows(end, HOUR, days=1, weeks=1)[-1]
    assert (start.hour, window_end.hour, window_end.day) == (9, 10, 25)


def test_baseline_is_not_raised_by_one_earlier_crisis() -> None:
    assert baseline([*USUAL, 400]) == baseline(USUAL) == 10.0
    assert baseline([2, 2, 2]) == 2.0
    assert baseline([]) == 0.0


def test_a_count_within_the_margin_is_quiet() -> None:
    verdict = judge(20, USUAL, RULE, active=False)
    assert (verdict.state, verdict.baseline, verdict.threshold) == ("quiet", 10.0, 20.0)


def test_a_count_above_the_margin_starts_a_spike() -> None:
    verdict = judge(31, USUAL, RULE, active=False)
    assert verdict.state == "started"
    assert verdict.ratio == 3.1


def test_an_open_spike_goes_on_while_the_count_hovers_just_above_the_end_level() -> None:
    assert judge(25, USUAL, RULE, active=False).state == "started"
    for count in (19, 13, 21, 13):
        assert judge(count, USUAL, RULE, active=True).state == "ongoing"
        # The same counts without an open spike do not start a new one either.
        assert judge(count, USUAL, RULE, active=False).state in {"quiet", "started"}
    assert judge(13, USUAL, RULE, active=False).state == "quiet"


def test_an_open_spike_ends_when_the_count_is_back_near_the_baseline() -> None:
    assert judge(12, USUAL, RULE, active=True).state == "ended"
    assert judge(0, USUAL, RULE, active=True).state == "ended"


def test_a_brand_without_history_needs_min_count_mentions_not_one() -> None:
    for silent in ([], [0, 0, 0, 0, 0, 0, 0]):
        assert [judge(n, silent, RULE, active=False).state for n in (1, 3, 9)] == ["quiet"] * 3
        verdict = judge(10, silent, RULE, active=False)
        assert (verdict.state, verdict.threshold, verdict.ratio) == ("started", 2.0, 10.0)


@given(
    current=st.integers(0, 10_000),
    counts=st.lists(st.integers(0, 10_000), max_size=12),
    margin=st.floats(1.5, 10),
    min_count=st.integers(0, 50),
    active=st.booleans(),
)
def test_judge_never_starts_an_open_spike_nor_ends_a_closed_one(
    current: int, counts: list[int], margin: float, min_count: int, active: bool
) -> None:
    rule = SpikeRule(margin=margin, min_count=min_count, end_ratio=1.2, min_baseline=1.0)
    verdict = judge(current, counts, rule, active=active)
    allowed = {"ongoing", "ended"} if active else {"quiet", "started"}
    assert verdict.state in allowed
    if verdict.state == "started":
        assert current >= min_count and current > verdict.threshold


def test_top_terms_name_the_outage_in_a_burst_of_dutch_complaints() -> None:
    terms = top_terms(OUTAGE, ORDINARY, ignore=["KPN"])
    assert terms[:2] == ["storing", "internet"]


def test_top_terms_drop_stop_words_numbers_urls_and_the_brand_in_any_case() -> None:
    spike = [
        "The Vodafone app is down again, 2024 https://status.example.com",
        "vodafone APP is DOWN for me too 2024 https://status.example.com",
        "Is the VodaFone app down? 2024",
    ]
    terms = top_terms(spike, ["I like my Vodafone plan"], ignore=["VODAFONE"])
    assert set(terms) == {"app", "down"}
    assert top_terms(spike, [], ignore=["vodafone"]) == terms


def test_top_terms_need_at_least_two_spike_texts() -> None:
    spike = ["storing internet", "storing in Utrecht", "storing; tv zwart"]
    assert top_terms(spike, ORDINARY) == ["storing"]


def test_top_terms_prefer_a_phrase_that_covers_its_words() -> None:
    spike = [
        "Weer een pin storing in de winkel",
        "pin storing bij de kassa",
        "Geen betaling mogelijk, pin storing",
        "pin storing overal? kassa dicht",
    ]
    assert top_terms(spike, ORDINARY) == ["pin storing", "kassa"]


def test_top_terms_keep_a_word_used_well_beyond_one_phrase() -> None:
    spike = ["tv storing", "tv storing", "tv storing", "storing internet", "storing bellen"]
    assert top_terms([*spike, "storing"], ORDINARY) == ["storing", "tv storing"]


WORDS = st.sampled_from(["storing", "internet", "de", "app", "kpn", "42", "tv", "snel", "x"])
TEXTS = st.lists(st.lists(WORDS, max_size=8).map(" ".join), max_size=12)


@given(spike=TEXTS, base=TEXTS, limit=st.integers(0, 5))
def test_top_terms_are_deterministic_and_at_most_limit(
    spike: list[str], base: list[str], limit: int
) -> None:
    terms = top_terms(spike, base, limit=limit, ignore=["KPN"])
    assert terms == top_terms(spike[::-1], base[::-1], limit=limit, ignore=["kpn"])
    assert len(terms) <= limit and len(set(terms)) == len(terms)
    assert not {word for term in terms for word in term.split()} & (STOP_WORDS | {"kpn", "42"})


def test_examples_take_the_highest_priority_and_skip_near_identical_posts() -> None:
    shared = (
        "Storing bij KPN: al uren geen internet in heel Utrecht en omgeving. Wat is er aan de hand?"
    )
    posts = [
        (1, "gewoon een klacht", 10),
        (2, shared + " #kpn", 90),
        (3, shared.upper() + " RT", 80),
        (4, "Tweede storing deze week", 70),
        (5, "Nog een klacht", 50),
    ]
    assert examples(posts) == [2, 4, 5]
    assert examples(posts, limit=1) == [2]
    assert examples([]) == []


def test_without_earlier_texts_the_most_common_terms_characterise_the_spike() -> None:
    texts = [
        "Storing bij Stroomlijn, geen stroom in de straat",
        "Weer een storing en geen uitleg",
        "Drie dagen geen stroom",
        "Factuur klopt niet",
    ]
    assert top_terms(texts, [], ignore=["Stroomlijn"]) == ["storing", "stroom"]
