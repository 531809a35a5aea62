"""Near-duplicate stories: MinHash signatures of word 3-shingles, LSH band keys to find candidates.

A syndicated or lightly edited copy of a text (new headline, an added sentence, a "Lees verder"
tail, other punctuation, case or accents) shares most of its word triples with the original; two
different posts about the same topic share few. So:

    signature(text)          128 MinHash values (512 bytes), or None below MIN_WORDS words
    band_keys(sig)           BANDS integers in [0, 2**63): store them, indexed, with the mention id
    best_match(sig, pairs)   of the mentions sharing a band key, the most similar at >= SIMILAR

What it cannot see: a short excerpt of a long article (a feed that cuts at 50 words, a site that
shows all 600) has a low Jaccard similarity to it, so the two stay separate stories.

Every constant below is part of the stored format: signatures and band keys written by one
version must equal those computed later, in another process, on another machine. So nothing here
depends on Python's salted hash(), the platform's byte order or numpy's random streams. Change the
normalisation, hashing or layout and every stored signature and key must be recomputed: bump FORMAT.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from monitor.query import fold

FORMAT = 1
SHINGLE_WORDS = 3
# Below 8 words (6 word triples) one changed word alters half the shingles, and unrelated short
# posts ("Storing!", "Storing?", "Weer storing bij Stroomlijn") would collide by chance: such
# texts get no signature and are never clustered.
MIN_WORDS = 8
PERMUTATIONS = 128
BANDS = 32
# 32 bands of 4 values: a pair at Jaccard 0.6 shares a band 98.8% of the time, at 0.5 87%, at 0.2
# 5% (16 x 8 would find only 24% at 0.6; 42 x 3 would make 29% of pairs at 0.2 candidates).
ROWS = PERMUTATIONS // BANDS
SIGNATURE_BYTES = PERMUTATIONS * 4
# Estimated Jaccard at or above which two texts are one story. Our edited copies score 0.73-0.98,
# different posts on one topic 0.00-0.22. On 14,640 real airline tweets, pairs at 0.6 or above
# are retweets, quote-tweets, syndicated headlines and resent copypasta, bar one (two people asking
# "how do I get a companion pass"); between 0.5 and 0.6, three of four pairs are different
# people's short formulaic requests ("can you follow me so I can send the DM?"). A false merge hides
# a customer inside someone else's story; a missed one costs an agent a second look: so 0.6.
SIMILAR = 0.6

_WORD = re.compile(r"\w+")
# Links differ per copy (tracking parameters, t.co shorteners) and say nothing about the story.
_LINK = re.compile(r"(?:https?://|www\.)\S*", re.IGNORECASE)
_DTYPE = np.dtype("<u4")  # stored little-endian whatever the machine
_MASK63 = (1 << 63) - 1
_CHUNK = 4096  # shingles per step, so a huge text never builds a huge (128 x n) matrix


def _stable_u64(data: bytes, person: bytes) -> int:
    digest = hashlib.blake2b(data, digest_size=8, person=person).digest()
    return int.from_bytes(digest, "little")


# Permutation i maps a shingle hash x to (A[i] * x + B[i]) mod 2**64 and keeps the top 32 bits.
# The constants come from blake2b, not from a numpy random stream that may change between versions.
_A = np.array(
    [_stable_u64(i.to_bytes(4, "little"), b"story-perm-a") | 1 for i in range(PERMUTATIONS)],
    dtype=np.uint64,
)[:, None]
_B = np.array(
    [_stable_u64(i.to_bytes(4, "little"), b"story-perm-b") for i in range(PERMUTATIONS)],
    dtype=np.uint64,
)[:, None]
# Multipliers that make the hash of a word triple depend on the order of its words.
_POSITION = np.array(
    [_stable_u64(i.to_bytes(4, "little"), b"story-position") | 1 for i in range(SHINGLE_WORDS)],
    dtype=np.uint64,
)


@lru_cache(maxsize=1 << 16)  # words repeat across texts; hashing them is a third of the work
def _word_hash(word: str) -> int:
    return _stable_u64(word.encode("utf-8", "surrogatepass"), b"story-word")


def _words(text: str) -> list[str]:
    """The words of a text without its links, with case, accents, punctuation and spacing gone."""
    return _WORD.findall(fold(_LINK.sub(" ", text)))


def _mix(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """MurmurHash3's 64-bit finaliser: a bijection that spreads every input bit over the output."""
    x = x ^ (x >> np.uint64(33))
    x = x * np.uint64(0xFF51AFD7ED558CCD)
    x = x ^ (x >> np.uint64(33))
    x = x * np.uint64(0xC4CEB9FE1A85EC53)
    return x ^ (x >> np.uint64(33))


def _shingle_hashes(tokens: list[str]) -> npt.NDArray[np.uint64]:
    """Sorted distinct 64-bit hashes of the word n-grams (n = SHINGLE_WORDS, fewer if short)."""
    if not tokens:
        return np.zeros(0, dtype=np.uint64)
    vocabulary: dict[str, int] = {}
    ids = [vocabulary.setdefault(token, len(vocabulary)) for token in tokens]
    word_hashes = np.array([_word_hash(token) for token in vocabulary], dtype=np.uint64)[ids]
    size = min(SHINGLE_WORDS, len(tokens))
    count = len(tokens) - size + 1
    combined = np.full(count, size, dtype=np.uint64)  # the length, so a pair never equals a triple
    with np.errstate(over="ignore"):
        for offset in range(size):
            combined = combined + word_hashes[offset : offset + count] * _POSITION[offset]
        return np.unique(_mix(combined))


def shingles(text: str) -> set[int]:
    """The text's word 3-shingles as stable 64-bit integers (one shingle of all its words when
    it has fewer than three)."""
    return {int(value) for value in _shingle_hashes(_words(text))}


@dataclass(frozen=True, eq=False)
class Signature:
    """PERMUTATIONS MinHash values; two signatures agree in a share of places close to the
    Jaccard similarity of the two texts' shingle sets."""

    values: npt.NDArray[np.uint32]

    def __post_init__(self) -> None:
        if self.values.shape != (PERMUTATIONS,) or self.values.dtype != np.uint32:
            raise ValueError(f"a story signature is {PERMUTATIONS} uint32 values")

    def to_bytes(self) -> bytes:
        return self.values.astype(_DTYPE, copy=False).tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        if len(data) != SIGNATURE_BYTES:
            raise ValueError(f"a story signature is {SIGNATURE_BYTES} bytes, got {len(data)}")
        values = np.frombuffer(data, dtype=_DTYPE).astype(np.uint32)
        values.flags.writeable = False
        return cls(values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Signature) and bool(np.array_equal(self.values, other.values))

    def __hash__(self) -> int:
        return hash(self.to_bytes())


def signature(text: str) -> Signature | None:
    """The MinHash signature of a text, or None when it has fewer than MIN_WORDS words (or fewer
    than MIN_WORDS - 2 distinct word triples): too short to tell a copy from a coincidence."""
    hashes = _shingle_hashes(_words(text))
    if len(hashes) < MIN_WORDS - SHINGLE_WORDS + 1:
        return None
    minimum = np.full(PERMUTATIONS, np.iinfo(np.uint64).max, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for start in range(0, len(hashes), _CHUNK):
            permuted = _A * hashes[None, start : start + _CHUNK] + _B
            minimum = np.minimum(minimum, permuted.min(axis=1))
    values = (minimum >> np.uint64(32)).astype(np.uint32)
    values.flags.writeable = False
    return Signature(values)


def band_keys(sig: Signature) -> list[int]:
    """BANDS keys in [0, 2**63), one per band of ROWS values, each tagged with its band number:
    two texts share a key only if they agree on a whole band. Fits a BIGINT or SQLite INTEGER."""
    cached: list[int] | None = sig.__dict__.get("_band_keys")
    if cached is None:
        rows = sig.values.astype(_DTYPE, copy=False).reshape(BANDS, ROWS)
        cached = [
            _stable_u64(band.to_bytes(1, "little") + rows[band].tobytes(), b"story-band") & _MASK63
            for band in range(BANDS)
        ]
        # A signature is immutable, so its keys are computed once however often they are asked.
        object.__setattr__(sig, "_band_keys", cached)
    return list(cached)


def similarity(a: Signature, b: Signature) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets, in steps of 1/PERMUTATIONS."""
    return int(np.count_nonzero(a.values == b.values)) / PERMUTATIONS


def best_match(sig: Signature, candidates: Iterable[tuple[int, Signature]]) -> int | None:
    """The id of the candidate most similar to sig at SIMILAR or above; ties go to the smaller id
    (the earlier mention), so every copy joins the same one."""
    scored = ((similarity(sig, candidate), -candidate_id) for candidate_id, candidate in candidates)
    best = max(scored, default=None)
    return -best[1] if best is not None and best[0] >= SIMILAR else None


class StoryIndex:
    """In memory, what the database does with a story_bands(band_key, mention_id) table: ids by
    band key, signatures by id, and a lookup of the best earlier match."""

    def __init__(self) -> None:
        self._ids_by_key: dict[int, list[int]] = {}
        self._signatures: dict[int, Signature] = {}

    def __len__(self) -> int:
        return len(self._signatures)

    def add(self, mention_id: int, sig: Signature) -> None:
        self._signatures[mention_id] = sig
        for key in band_keys(sig):
            self._ids_by_key.setdefault(key, []).append(mention_id)

    def candidates(self, sig: Signature) -> set[int]:
        """Ids sharing at least one band key with sig."""
        return {i for key in band_keys(sig) for i in self._ids_by_key.get(key, ())}

    def find(self, sig: Signature) -> int | None:
        """The stored id most similar to sig at SIMILAR or above, else None."""
        return best_match(sig, ((i, self._signatures[i]) for i in self.candidates(sig)))
