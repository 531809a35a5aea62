"""Language detection picks only among the configured languages and copes with short and mixed
posts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.language import LanguageDetector


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector(["nl", "en"])


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Waarom is mijn termijnbedrag ineens verdubbeld? Niemand neemt op.", "nl"),
        ("Why did my monthly payment suddenly double? Nobody answers the phone.", "en"),
        ("Allez, amai, ge moet da toch ne keer bekijken bij de klantendienst", "nl"),
        ("Mijn app crasht constant sinds de update, echt super irritant", "nl"),
    ],
)
def test_clear_posts_get_their_language(
    detector: LanguageDetector, text: str, language: str
) -> None:
    assert detector.detect(text) == language


def test_only_configured_languages_come_out(detector: LanguageDetector) -> None:
    assert detector.detect("Pourquoi ma facture a-t-elle doublé ce mois-ci sans explication?") in {
        "nl", "en"}  # fmt: skip


def test_short_texts_fall_back_to_the_feeds_language(detector: LanguageDetector) -> None:
    assert detector.detect("ok 👍", hint="en") == "en"
    assert detector.detect("ok 👍") is None
    assert detector.detect("top!", hint="fr") is None  # a hint outside the list is ignored


def test_a_single_language_needs_no_detection() -> None:
    assert LanguageDetector(["nl"]).detect("Hello world, this is English") == "nl"


SHARED = LanguageDetector(["nl", "en"])


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_a_configured_language_or_none(text: str) -> None:
    assert SHARED.detect(text) in {"nl", "en", None}


def test_the_detector_keeps_only_the_weights_of_the_configured_languages() -> None:
    detector = LanguageDetector(("nl", "en"))
    # The full model's table for every language (28 MB) is not kept in a worker.
    assert detector._identifier.nb_ptc.shape[1] == 2
    assert detector.detect("Al drie dagen geen stroom en niemand neemt de telefoon op") == "nl"
    assert detector.detect("The power has been out for three days and nobody answers") == "en"
