"""Matching: whether one query's tree matches a document, and the hits that show why."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

from monitor.query.document import Document, FieldWords, Hit
from monitor.query.parser import parse_query
from monitor.query.tree import And, MatchAll, Near, Node, Not, Or, Site, Term


def _occurrences(term: Term, words: FieldWords) -> list[tuple[int, int]]:
    """(first, last) word of every place where the term occurs in one field."""
    keys, last = term.keys, len(term.keys) - 1
    starts = words.starting_with(keys[0]) if term.prefix and not last else words.positions(keys[0])
    if not last and not term.exact:
        return [(first, first) for first in starts]
    found = []
    folded, middle = words.folded, keys[1:last]
    for first in starts:
        end = first + last
        if end >= len(folded):
            break
        if middle and tuple(folded[first + 1 : end]) != middle:
            continue
        if not (folded[end].startswith(keys[last]) if term.prefix else folded[end] == keys[last]):
            continue
        if term.exact and not _written_alike(term, words.written[first : end + 1]):
            continue
        found.append((first, end))
    return found


def _written_alike(term: Term, written: list[str]) -> bool:
    *head, tail = written
    if head != list(term.words[:-1]):
        return False
    return tail.startswith(term.words[-1]) if term.prefix else tail == term.words[-1]


def _find(term: Term, doc: Document) -> list[Hit]:
    hits = []
    for name in doc._searched(term.field):
        words = doc._words[name]
        for first, last in _occurrences(term, words):
            hits.append(Hit(term.raw, name, *words.offsets(first, last)))
    return hits


_Place = tuple[int, int, str]  # first word, last word, the term as written


def _near(node: Near, doc: Document, hits: list[Hit]) -> bool:
    fields = dict.fromkeys(
        name for term in node.left + node.right for name in doc._searched(term.field)
    )
    found = False
    for name in fields:
        words = doc._words[name]
        left, right = (_places(side, name, words, doc) for side in (node.left, node.right))
        near_left = _with_partner(left, right, node.distance)
        if not near_left:
            continue
        found = True
        for first, last, raw in sorted(set(near_left + _with_partner(right, left, node.distance))):
            hits.append(Hit(raw, name, *words.offsets(first, last)))
    return found


def _places(terms: tuple[Term, ...], name: str, words: FieldWords, doc: Document) -> list[_Place]:
    return sorted(
        (first, last, term.raw)
        for term in terms
        if name in doc._searched(term.field)
        for first, last in _occurrences(term, words)
    )


def _with_partner(places: list[_Place], others: list[_Place], distance: int) -> list[_Place]:
    """The places with one of `others` before or after them and at most `distance` words
    between the two."""
    starts = [first for first, _, _ in others]  # sorted, as `others` is
    ends = sorted(last for _, last, _ in others)
    kept = []
    for place in places:
        first, last, _ = place
        after = bisect_left(starts, last + 1)
        before = bisect_right(ends, first - 1)
        if (after < len(starts) and starts[after] <= last + 1 + distance) or (
            before and ends[before - 1] >= first - 1 - distance
        ):
            kept.append(place)
    return kept


def _evaluate(node: Node, doc: Document, hits: list[Hit]) -> bool:
    if isinstance(node, Term):
        found = _find(node, doc)
        hits.extend(found)
        return bool(found)
    if isinstance(node, MatchAll):
        return True
    if isinstance(node, Not):
        return not _evaluate(node.child, doc, [])
    if isinstance(node, And):
        local: list[Hit] = []
        if all(_evaluate(child, doc, local) for child in node.children):
            hits.extend(local)
            return True
        return False
    if isinstance(node, Or):
        # Evaluate every branch so that the explanation names all the terms that hit.
        results = [_evaluate(child, doc, hits) for child in node.children]
        return any(results)
    if isinstance(node, Near):
        return _near(node, doc, hits)
    if isinstance(node, Site):
        return doc.host == node.host or doc.host.endswith("." + node.host)
    return doc.language == node.code


@dataclass(frozen=True)
class Query:
    """A compiled brand query."""

    text: str
    tree: Node

    @classmethod
    def compile(cls, text: str) -> Query:
        return _compile_cached(text)

    def match(self, doc: Document) -> list[Hit] | None:
        """The hits that made the query match, or None if it does not match."""
        hits: list[Hit] = []
        return hits if _evaluate(self.tree, doc, hits) else None


@lru_cache(maxsize=512)
def _compile_cached(text: str) -> Query:
    return Query(text, parse_query(text))
