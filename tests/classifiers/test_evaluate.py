"""Evaluation figures are the standard ones, in a fixed category order."""

from __future__ import annotations

from classifiers.evaluate import evaluate, format_report


def test_per_class_scores_macro_f1_and_confusion() -> None:
    truth = ["complaint", "complaint", "question", "praise"]
    predicted = ["complaint", "question", "question", "praise"]
    report = evaluate(truth, predicted)
    assert report["labels"] == ["complaint", "question", "praise"]
    assert report["per_class"]["complaint"] == {
        "precision": 1.0,
        "recall": 0.5,
        "f1": 0.6667,
        "support": 2,
    }
    assert report["per_class"]["question"]["precision"] == 0.5
    assert report["confusion"] == [[1, 1, 0], [0, 1, 0], [0, 0, 1]]
    assert report["macro_f1"] == round((2 / 3 + 2 / 3 + 1) / 3, 4)
    assert report["accuracy"] == 0.75


def test_a_category_only_predicted_does_not_count_in_macro_f1() -> None:
    report = evaluate(["praise", "praise"], ["praise", "other"])
    assert report["per_class"]["other"]["support"] == 0
    assert report["macro_f1"] == round(2 * 1.0 * 0.5 / 1.5, 4)


def test_the_text_report_shows_every_row() -> None:
    text = format_report(evaluate(["complaint", "question"], ["complaint", "complaint"]))
    assert "macro-F1" in text and "confusion" in text
    assert text.count("\n") >= 6
