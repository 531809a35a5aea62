"""Classifier speed: batch throughput, single-mention latency and load time of a stored model."""

from __future__ import annotations

import statistics
import time

from classifiers import serialize
from classifiers.corpus import seed_corpus
from classifiers.model import TriageModel
from classifiers.train import train


def run() -> list[tuple[str, str]]:
    examples = seed_corpus()
    started = time.perf_counter()
    result = train(examples, holdout=0)
    trained = time.perf_counter() - started
    payload = serialize.dumps(result.model.pipeline)
    loads = []
    for _ in range(5):
        started = time.perf_counter()
        model = TriageModel(serialize.loads(payload), "bench")
        loads.append(time.perf_counter() - started)
    texts = [e.text for e in examples] * 5
    started = time.perf_counter()
    model.predict(texts)
    batch = len(texts) / (time.perf_counter() - started)
    single = []
    for text in texts[:300]:
        started = time.perf_counter()
        model.predict_one(text)
        single.append(time.perf_counter() - started)
    single.sort()
    return [
        ("train on the seed corpus (s)", f"{trained:.2f}"),
        ("stored model size (MB)", f"{len(payload) / 1e6:.1f}"),
        ("model load, median (s)", f"{statistics.median(loads):.3f}"),
        ("batch classification (mentions/s)", f"{batch:,.0f}"),
        ("one mention, p95 (ms)", f"{single[int(len(single) * 0.95)] * 1000:.2f}"),
    ]
