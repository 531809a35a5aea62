"""Language detection restricted to the languages the configuration lists."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from py3langid.langid import MODEL_FILE, LanguageIdentifier

_MIN_LETTERS = 12


class LanguageDetector:
    """py3langid with a closed set of languages; short texts fall back to the feed's hint."""

    def __init__(self, languages: Sequence[str], *, min_confidence: float = 0.6) -> None:
        self.languages = tuple(languages)
        self.min_confidence = min_confidence
        self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        if len(self.languages) > 1:
            self._identifier.set_languages(list(self.languages))
        self._lock = threading.Lock()

    def detect(self, text: str, hint: str | None = None) -> str | None:
        if len(self.languages) == 1:
            return self.languages[0]
        hint = hint if hint in self.languages else None
        letters = sum(c.isalpha() for c in text)
        if letters < _MIN_LETTERS:
            return hint
        with self._lock:  # the identifier keeps per-call scratch state
            language, probability = self._identifier.classify(text)
        if probability < self.min_confidence and hint:
            return hint
        return str(language)
