"""Language detection restricted to the languages the configuration lists."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
from py3langid.langid import MODEL_FILE, LanguageIdentifier

_MIN_LETTERS = 12


def _identifier_for(languages: Sequence[str]) -> LanguageIdentifier:
    """py3langid's model for these languages only.

    The full model keeps a 28 MB table of every language's feature weights even when restricted
    to a few; a worker needs only the columns of the configured languages.
    """
    full = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    if len(languages) < 2:
        return full
    full.set_languages(list(languages))  # validates the codes and slices the table
    return LanguageIdentifier(
        np.ascontiguousarray(full.nb_ptc),
        np.ascontiguousarray(full.nb_pc),
        list(full.nb_classes),
        full.tk_nextmove,
        full.tk_output,
        norm_probs=True,
        tk_row=full.tk_row,
    )


class LanguageDetector:
    """py3langid with a closed set of languages; short texts fall back to the feed's hint."""

    def __init__(self, languages: Sequence[str], *, min_confidence: float = 0.6) -> None:
        self.languages = tuple(languages)
        self.min_confidence = min_confidence
        self._identifier = _identifier_for(self.languages)
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
