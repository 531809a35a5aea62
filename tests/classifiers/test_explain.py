"""The mention page can say which words pushed the decision."""

from __future__ import annotations

from itertools import pairwise

import pytest

from classifiers import serialize
from classifiers.explain import explain
from classifiers.model import TriageModel
from tests.conftest import TrainedModel


@pytest.fixture(scope="module")
def model(seed_model: TrainedModel) -> TriageModel:
    return TriageModel(serialize.loads(seed_model.payload), seed_model.version)


def test_journalist_words_push_towards_a_journalist_inquiry(model: TriageModel) -> None:
    text = "Redactie Dagblad Oost: graag een reactie van uw woordvoerder, deadline 16.00 uur"
    weights = explain(model, text, "journalist_inquiry")
    assert weights, "no explanation"
    top = {w.word.lower() for w in weights[:4] if w.weight > 0}
    assert top & {"redactie", "woordvoerder", "reactie", "deadline"}
    assert all(abs(a.weight) >= abs(b.weight) for a, b in pairwise(weights))


def test_an_empty_text_has_no_explanation(model: TriageModel) -> None:
    assert explain(model, "   ") == []
