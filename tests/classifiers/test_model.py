"""The seed model: bilingual, sensible on posts it never saw, stored without executable pickles."""

from __future__ import annotations

import io
import pickle
import zipfile

import pytest

from classifiers import CATEGORIES, serialize
from classifiers.corpus import label_counts, seed_corpus
from classifiers.model import TriageModel
from tests.conftest import TrainedModel


@pytest.fixture(scope="module")
def model(seed_model: TrainedModel) -> TriageModel:
    return TriageModel(serialize.loads(seed_model.payload), seed_model.version)


def test_the_seed_corpus_covers_every_category_in_both_languages() -> None:
    examples = seed_corpus()
    for language in ("nl", "en"):
        counts = label_counts(e for e in examples if e.language == language)
        assert min(counts.values()) >= 100, counts
    assert len({e.text for e in examples}) == len(examples)


def test_held_out_scores_are_recorded_per_language(seed_model: TrainedModel) -> None:
    metrics = seed_model.metrics
    assert metrics["holdout"]["macro_f1"] >= 0.8
    assert set(metrics["holdout_by_language"]) == {"en", "nl"}
    assert all(m["macro_f1"] >= 0.75 for m in metrics["holdout_by_language"].values())


@pytest.mark.parametrize(
    ("text", "category"),
    [
        (
            "Al drie dagen geen internet en niemand bij de helpdesk die iets weet. Schandalig!",
            "complaint",
        ),
        ("Weet iemand hoe ik mijn meterstand doorgeef via de app?", "question"),
        (
            "Goedemiddag, ik werk voor de redactie van Dagblad Oost en zou graag een reactie van "
            "uw woordvoerder willen op het datalek. Onze deadline is vandaag 15.00 uur.",
            "journalist_inquiry",
        ),
        ("Wat een fijne hulp van jullie monteur vanochtend, echt top geregeld!", "praise"),
        (
            "My train has been sitting outside the station for 50 minutes with zero updates. "
            "Worst commute ever.",
            "complaint",
        ),
        (
            "Reporter at the Evening Ledger here, could your press office comment on the outage "
            "before 5pm?",
            "journalist_inquiry",
        ),
        ("Does anyone know if the new tariff also applies to business accounts?", "question"),
    ],
)
def test_posts_it_never_saw_get_the_right_category(
    model: TriageModel, text: str, category: str
) -> None:
    assert model.predict_one(text).category == category


def test_predictions_are_probabilities_over_all_categories(model: TriageModel) -> None:
    [prediction] = model.predict(["Hallo"])
    assert set(prediction.scores) == set(CATEGORIES)
    assert abs(sum(prediction.scores.values()) - 1) < 0.01
    assert prediction.confidence == prediction.scores[prediction.category]
    assert model.predict([]) == []


def test_a_stored_model_that_carries_foreign_code_is_refused(seed_model: TrainedModel) -> None:
    archive = io.BytesIO(seed_model.payload)
    with zipfile.ZipFile(archive) as original:
        files = {name: original.read(name) for name in original.namelist()}
    schema = (
        files["schema.json"]
        .decode()
        .replace("classifiers.features", "os", 1)
        .replace('"normalise"', '"system"', 1)
    )
    tampered = io.BytesIO()
    with zipfile.ZipFile(tampered, "w") as out:
        for name, data in files.items():
            out.writestr(name, schema if name == "schema.json" else data)
    with pytest.raises(serialize.UntrustedModelError, match="untrusted types"):
        serialize.loads(tampered.getvalue())


def test_a_plain_pickle_is_not_a_model() -> None:
    with pytest.raises(serialize.UntrustedModelError, match="not in skops format"):
        serialize.loads(pickle.dumps({"evil": True}))


def test_the_fast_path_gives_the_same_probabilities_as_the_pipeline(model: TriageModel) -> None:
    import numpy as np

    texts = ["Hoe kan ik mijn adres wijzigen?", "Thanks, great help!", "Storing!!! 😡", "x"]
    fast = model._probabilities(texts)
    assert np.allclose(fast, model.pipeline.predict_proba(texts))
