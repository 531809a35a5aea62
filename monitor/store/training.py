"""Training examples from people: every relabel and every confirmed label, with who and when."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.store.models import TrainingExample


def add_example(
    session: Session,
    *,
    mention_id: int | None,
    text: str,
    label: str,
    previous_label: str | None,
    language: str | None,
    user_id: int | None,
) -> TrainingExample:
    example = TrainingExample(
        mention_id=mention_id,
        text=text,
        label=label,
        previous_label=previous_label,
        language=language,
        user_id=user_id,
    )
    session.add(example)
    session.flush()
    return example


def human_examples(session: Session) -> list[TrainingExample]:
    """All human labels, oldest first; a mention labelled twice counts with its latest label."""
    latest: dict[object, TrainingExample] = {}
    for example in session.scalars(select(TrainingExample).order_by(TrainingExample.id)):
        latest[example.mention_id if example.mention_id is not None else ("x", example.id)] = (
            example
        )
    return sorted(latest.values(), key=lambda e: e.id)
