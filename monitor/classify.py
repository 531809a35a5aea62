"""The live classifier for this process: trained from the seed corpus on first use, stored in the
database in skops format, and reloaded when another process promotes a new version."""

from __future__ import annotations

import logging
import threading
import time

from classifiers import serialize
from classifiers.corpus import seed_corpus
from classifiers.model import TriageModel
from classifiers.train import train
from monitor.store import model_versions
from monitor.store.db import Database

log = logging.getLogger(__name__)


def train_seed_model(db: Database) -> str:
    """Train on the bundled corpus and make the result live; returns its version name."""
    result = train(seed_corpus())
    with db.write() as session:
        model_versions.add_version(
            session,
            result.model.version,
            serialize.dumps(result.model.pipeline),
            result.metrics,
            make_live=True,
            notes="trained on the bundled seed corpus",
        )
    return result.model.version


def load_live_model(db: Database) -> TriageModel | None:
    with db.read() as session:
        row = model_versions.live_version(session)
        if row is None:
            return None
        return TriageModel(serialize.loads(row.payload), row.version)


def ensure_live_model(db: Database) -> str:
    with db.read() as session:
        version = model_versions.live_version_name(session)
    return version or train_seed_model(db)


class ModelProvider:
    """Hands out the live model; checks at most every `refresh` seconds whether it changed."""

    def __init__(self, db: Database, *, refresh: float = 30.0) -> None:
        self.db = db
        self.refresh = refresh
        self._model: TriageModel | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def get(self) -> TriageModel:
        with self._lock:
            now = time.monotonic()
            if self._model is not None and now - self._checked < self.refresh:
                return self._model
            self._checked = now
            with self.db.read() as session:
                live = model_versions.live_version_name(session)
            if live is None:
                live = train_seed_model(self.db)
            if self._model is None or self._model.version != live:
                self._model = self._load(live)
            return self._model

    def _load(self, version: str) -> TriageModel:
        with self.db.read() as session:
            row = model_versions.live_version(session)
            if row is None or row.version != version:
                raise RuntimeError("the live model changed while loading; will retry")
            payload = row.payload
        started = time.perf_counter()
        model = TriageModel(serialize.loads(payload), version)
        log.info("loaded model %s in %.2fs", version, time.perf_counter() - started)
        return model
