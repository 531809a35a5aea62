"""Per-class precision, recall and F1, macro-F1 and the confusion matrix, as data and as text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from classifiers import CATEGORIES


def evaluate(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Scores over the categories present in truth or predictions, in our fixed order."""
    labels = [c for c in CATEGORIES if c in set(truth) | set(predicted)]
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=labels, zero_division=0
    )
    present = [i for i, c in enumerate(labels) if c in set(truth)]
    per_class = {
        label: {
            "precision": round(float(precision[i]), 4),
            "recall": round(float(recall[i]), 4),
            "f1": round(float(f1[i]), 4),
            "support": int(support[i]),
        }
        for i, label in enumerate(labels)
    }
    macro = sum(float(f1[i]) for i in present) / len(present) if present else 0.0
    correct = sum(1 for t, p in zip(truth, predicted, strict=True) if t == p)
    return {
        "n": len(truth),
        "accuracy": round(correct / len(truth), 4) if truth else 0.0,
        "macro_f1": round(macro, 4),
        "per_class": per_class,
        "labels": labels,
        "confusion": confusion_matrix(truth, predicted, labels=labels).tolist() if truth else [],
    }


def format_report(report: dict[str, Any]) -> str:
    """A plain-text table for the terminal."""
    lines = [f"{'category':<20} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}"]
    for label, row in report["per_class"].items():
        lines.append(
            f"{label:<20} {row['precision']:>9.3f} {row['recall']:>7.3f} {row['f1']:>6.3f} "
            f"{row['support']:>8}"
        )
    lines.append(f"{'macro-F1':<20} {report['macro_f1']:>24.3f} {report['n']:>8}")
    lines.append(f"{'accuracy':<20} {report['accuracy']:>24.3f}")
    labels = report["labels"]
    if labels:
        short = [label[:8] for label in labels]
        lines.append("")
        lines.append("confusion (rows: truth, columns: predicted)")
        lines.append(" " * 20 + " ".join(f"{s:>8}" for s in short))
        for label, row in zip(labels, report["confusion"], strict=True):
            lines.append(f"{label:<20}" + " ".join(f"{v:>8}" for v in row))
    return "\n".join(lines)
