"""The seed corpus the project owns: posts written for this project, in Dutch and English."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from classifiers import CATEGORIES

CORPUS_DIR = Path(__file__).parent


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    language: str | None = None
    origin: str = "seed"


def read_examples(
    path: Path, *, language: str | None = None, origin: str | None = None
) -> list[Example]:
    """Read a CSV with at least the columns text and label; other columns are ignored."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"text", "label"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        examples = []
        for line, row in enumerate(reader, start=2):
            label = (row.get("label") or "").strip()
            if label not in CATEGORIES:
                raise ValueError(f"{path}, line {line}: unknown label {label!r}")
            text = (row.get("text") or "").strip()
            if text:
                examples.append(
                    Example(text, label, row.get("language") or language, origin or path.name)
                )
    return examples


def seed_corpus() -> list[Example]:
    """Every bundled seed file; the language comes from the file name (seed_<lang>[_part].csv)."""
    examples: list[Example] = []
    for path in sorted(CORPUS_DIR.glob("seed_*.csv")):
        language = path.stem.split("_")[1]
        examples.extend(read_examples(path, language=language))
    return examples


def label_counts(examples: Iterable[Example]) -> dict[str, int]:
    counts = dict.fromkeys(CATEGORIES, 0)
    for example in examples:
        counts[example.label] += 1
    return counts
