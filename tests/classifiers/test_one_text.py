"""Scoring a few texts by hand gives scikit-learn's probabilities, for any text."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers import serialize
from classifiers.corpus import Example, seed_corpus
from classifiers.model import TriageModel
from classifiers.one_text import OneText
from classifiers.train import train
from tests.conftest import TrainedModel


@pytest.fixture(scope="module")
def model(seed_model: TrainedModel) -> TriageModel:
    return TriageModel(serialize.loads(seed_model.payload), seed_model.version)


def _by_hand(model: TriageModel) -> OneText:
    by_hand = OneText.of(model.pipeline)
    assert by_hand is not None, "the seed model is built as build_pipeline builds it"
    return by_hand


def test_every_corpus_post_scores_as_scikit_learn_scores_it(model: TriageModel) -> None:
    texts = [e.text for e in seed_corpus()]
    expected = model.pipeline.predict_proba(texts)
    by_hand = _by_hand(model)
    got = np.vstack([by_hand.probabilities([t]) for t in texts])
    assert np.abs(got - expected).max() < 1e-9


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "https://example.org/only-a-link",
        "🙃🙃🙃",
        "@a @b @c",
        "DATALEK!!!!!! " * 400,
        "Persvraag: kunt u vóór 16.00 uur reageren? Ärger, façade, naïef, 東京",
    ],
)
def test_odd_texts_score_as_scikit_learn_scores_them(model: TriageModel, text: str) -> None:
    expected = model.pipeline.predict_proba([text])
    assert np.abs(_by_hand(model).probabilities([text]) - expected).max() < 1e-9


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(max_size=300), min_size=1, max_size=5))
def test_any_text_scores_as_scikit_learn_scores_it(model: TriageModel, texts: list[str]) -> None:
    expected = model.pipeline.predict_proba(texts)
    assert np.abs(_by_hand(model).probabilities(texts) - expected).max() < 1e-9


def test_a_few_texts_and_a_batch_give_the_same_predictions(model: TriageModel) -> None:
    texts = [e.text for e in seed_corpus()[:40]]
    one_by_one = [model.predict_one(t) for t in texts]
    assert model.predict(texts) == one_by_one


def test_a_model_of_two_categories_is_left_to_scikit_learn() -> None:
    examples = [Example(f"storing nummer {i} weer kapot", "complaint", "nl") for i in range(30)]
    examples += [Example(f"top service nummer {i}, dank!", "praise", "nl") for i in range(30)]
    model = train(examples, holdout=0).model
    assert OneText.of(model.pipeline) is None
    assert model.predict_one("weer een storing").category == "complaint"
