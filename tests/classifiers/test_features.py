"""The hand-made cues: what a bag of words misses, whatever the case of the letters."""

from __future__ import annotations

from classifiers.features import cue_counts

THANKS, NEGATION, SHOUTING = 5, 4, 9


def test_word_cues_do_not_depend_on_case() -> None:
    quiet = cue_counts("thanks, but this is not what i asked. who can help?")
    loud = cue_counts("THANKS, BUT THIS IS NOT WHAT I ASKED. WHO CAN HELP?")
    assert loud[:SHOUTING] == quiet[:SHOUTING]
    assert loud[THANKS] > 0 and loud[NEGATION] > 0


def test_shouting_counts_letters_only() -> None:
    assert cue_counts("WAAROM 123 456 789 !!! WEER STORING")[SHOUTING] == 1.0
    assert cue_counts("Waarom weer een storing bij ons in de straat?")[SHOUTING] == 0.0
    assert cue_counts("OK 🙂 12345678901234567890")[SHOUTING] == 0.0  # too few letters to judge
