"""Model files in skops format: loading one never runs code we did not name as trusted."""

from __future__ import annotations

import zipfile
from typing import Any

import skops.io as sio

# Types that a model may contain beyond what skops trusts by default. Anything else in a
# payload is refused, so a tampered model row cannot execute code when it is loaded.
TRUSTED = frozenset(
    {
        "classifiers.features.normalise",
        "classifiers.features.CueFeatures",
        "sklearn.feature_extraction.text.HashingVectorizer",
        "sklearn.feature_extraction.text.TfidfTransformer",
        "sklearn.linear_model._logistic.LogisticRegression",
        "sklearn.pipeline.FeatureUnion",
        "sklearn.pipeline.Pipeline",
        "builtins.slice",
        "numpy.float64",
        "numpy.int64",
        "numpy.dtype",
        "numpy.ndarray",
        "scipy.sparse._csr.csr_matrix",
        "re.Pattern",
    }
)


class UntrustedModelError(ValueError):
    """The payload contains types that are not on the trusted list."""


def dumps(obj: Any) -> bytes:
    # Hashed features leave long runs of zero weights, which deflate shrinks tenfold.
    data: bytes = sio.dumps(obj, compression=zipfile.ZIP_DEFLATED)
    return data


def loads(data: bytes) -> Any:
    try:
        untrusted = set(sio.get_untrusted_types(data=data))
    except zipfile.BadZipFile:
        raise UntrustedModelError("model payload is not in skops format") from None
    unexpected = sorted(untrusted - TRUSTED)
    if unexpected:
        raise UntrustedModelError(
            f"model payload contains untrusted types: {', '.join(unexpected)}"
        )
    return sio.loads(data, trusted=sorted(untrusted))
