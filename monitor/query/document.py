"""A mention as queries see it: its fields split into words once, and the hits found in them."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from monitor.query.syntax import MIN_WILDCARD_PREFIX
from monitor.query.text import WORD, fold_word


@dataclass(frozen=True)
class Hit:
    """One place where a query term was found: which term, in which field, which characters."""

    term: str
    field: str
    start: int
    end: int


class FieldWords:
    """One field's words, folded. What only some queries need (the words as written, where each
    word is, character offsets) is worked out on first use."""

    __slots__ = ("_places", "_sorted", "_spans", "_written", "folded", "text", "vocabulary")

    def __init__(self, text: str) -> None:
        self.text = text
        self._written: list[str] | None = None
        self._places: dict[str, list[int]] = {}
        self._sorted: list[str] | None = None
        self._spans: list[tuple[int, int]] | None = None
        self.folded: list[str]
        if text.isascii():  # lower() is fold() for ASCII and keeps every word in its place
            self.folded = WORD.findall(text.lower())
        else:
            self.folded = [w.lower() if w.isascii() else fold_word(w) for w in self.written]
        self.vocabulary = frozenset(self.folded)

    @property
    def written(self) -> list[str]:
        if self._written is None:
            self._written = WORD.findall(self.text)
        return self._written

    def positions(self, word: str) -> list[int]:
        """Where the (folded) word occurs, in order."""
        if word not in self.vocabulary:
            return []
        places = self._places.get(word)
        if places is None:
            places, position = [], -1
            for _ in range(self.folded.count(word)):
                position = self.folded.index(word, position + 1)
                places.append(position)
            self._places[word] = places
        return places

    def starting_with(self, prefix: str) -> list[int]:
        """Where a word that begins with `prefix` occurs, in order."""
        if self._sorted is None:
            self._sorted = sorted(self.vocabulary)
        found = []
        for word in self._sorted[bisect_left(self._sorted, prefix) :]:
            if not word.startswith(prefix):
                break
            found.append(self.positions(word))
        return found[0] if len(found) == 1 else sorted(p for places in found for p in places)

    def offsets(self, first: int, last: int) -> tuple[int, int]:
        """The characters from word `first` to word `last`, both included."""
        if self._spans is None:
            self._spans = [m.span() for m in WORD.finditer(self.text)]
        return self._spans[first][0], self._spans[last][1]


class Document:
    """A mention, tokenised once and matched against many queries.

    `fields` (title, text, ...) are what terms search unless a field prefix says otherwise;
    `author` is searched only by author:, `url` only by site:, `language` only by lang:.
    """

    # _words, _searched and _holds are for the matcher and QuerySet in this package only.

    def __init__(
        self,
        fields: Mapping[str, str | None],
        *,
        author: str | None = None,
        url: str | None = None,
        language: str | None = None,
    ) -> None:
        self.fields = dict(fields)
        self.author = author or ""
        self.url = url or ""
        self.language = (language or "").lower()
        self.host = _host(self.url)
        self._words = {name: FieldWords(text or "") for name, text in self.fields.items()}
        if author is not None:
            self._words["author"] = FieldWords(self.author)
        self._default_fields = tuple(self.fields)
        self._present: dict[str, frozenset[str]] = {}

    def __repr__(self) -> str:
        metadata = f"author={self.author!r}, url={self.url!r}, language={self.language!r}"
        return f"Document({self.fields!r}, {metadata})"

    def _searched(self, field: str | None) -> tuple[str, ...]:
        """The fields a term with this field prefix (None: no prefix) looks in."""
        if field is None:
            return self._default_fields
        return (field,) if field in self._words else ()

    def _holds(self, kind: str) -> frozenset[str]:
        """What the document holds of one trigger kind: words, 3-letter word starts, host names
        (the host and every parent domain) or its language."""
        if kind not in self._present:
            if kind == "word":
                found = frozenset().union(*(words.vocabulary for words in self._words.values()))
            elif kind == "prefix":
                found = frozenset({w[:MIN_WILDCARD_PREFIX] for w in self._holds("word")})
            elif kind == "site":
                labels = self.host.split(".") if self.host else []
                found = frozenset(".".join(labels[i:]) for i in range(len(labels)))
            else:
                found = frozenset([self.language] if self.language else [])
            self._present[kind] = found
        return self._present[kind]


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:  # a malformed URL has no host to match
        return ""
