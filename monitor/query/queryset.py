"""QuerySet: named queries matched together, each document only against those it could match."""

from __future__ import annotations

from collections.abc import Mapping

from monitor.errors import QueryError
from monitor.query.document import Document, Hit
from monitor.query.matcher import Query
from monitor.query.syntax import MIN_WILDCARD_PREFIX
from monitor.query.tree import And, Lang, Near, Node, Or, Site, Term

_Trigger = tuple[str, str]  # (kind, value): ("word", "acme"), ("prefix", "kla"), ("site", ...)
_TRIGGER_COST = {"word": 1.0, "prefix": 4.0, "site": 2.0, "lang": 20.0}


def _triggers(node: Node) -> frozenset[_Trigger] | None:
    """Things of which a document must hold at least one for `node` to match; None when there is
    no such set (a match-all, a negation)."""
    if isinstance(node, Term):
        return frozenset([_term_trigger(node)])
    if isinstance(node, Site):
        return frozenset([("site", node.host)])
    if isinstance(node, Lang):
        return frozenset([("lang", node.code)])
    if isinstance(node, Or):
        union: set[_Trigger] = set()
        for child in node.children:
            alternative = _triggers(child)
            if alternative is None:
                return None
            union |= alternative
        return frozenset(union)
    if isinstance(node, And | Near):
        if isinstance(node, And):
            needed = [_triggers(child) for child in node.children]
        else:
            needed = [frozenset(_term_trigger(t) for t in side) for side in (node.left, node.right)]
        known = [n for n in needed if n is not None]
        return min(known, key=_cost) if known else None
    return None


def _term_trigger(term: Term) -> _Trigger:
    whole = term.keys[:-1] if term.prefix else term.keys
    if whole:
        return ("word", max(whole, key=len))  # the longest word is likely the rarest
    return ("prefix", term.keys[0][:MIN_WILDCARD_PREFIX])


def _cost(triggers: frozenset[_Trigger]) -> float:
    return sum(_TRIGGER_COST[kind] * (2 if len(value) < 4 else 1) for kind, value in triggers)


class QuerySet:
    """Named queries matched together. A document is checked only against the queries it could
    match (it holds one of their trigger words), which gives the same answers as checking every
    query, much faster."""

    def __init__(self, queries: Mapping[str, Query]) -> None:
        self.queries = dict(queries)
        self._entries = list(self.queries.items())
        self._always: list[int] = []
        self._by_trigger: dict[str, dict[str, list[int]]] = {kind: {} for kind in _TRIGGER_COST}
        for number, (_, query) in enumerate(self._entries):
            triggers = _triggers(query.tree)
            if triggers is None:
                self._always.append(number)
            for kind, value in triggers or ():
                self._by_trigger[kind].setdefault(value, []).append(number)
        self._keys = {kind: frozenset(index) for kind, index in self._by_trigger.items() if index}

    @classmethod
    def compile(cls, texts: Mapping[str, str]) -> QuerySet:
        """Compile every query; the first that does not parse raises its QueryError."""
        queries = {}
        for name, text in texts.items():
            try:
                queries[name] = Query.compile(text)
            except QueryError as exc:
                exc.add_note(f"in the query for {name!r}")
                raise
        return cls(queries)

    def candidates(self, document: Document) -> list[str]:
        """The names of the queries worth evaluating for this document, in their order."""
        return [self._entries[number][0] for number in self._candidate_numbers(document)]

    def match(self, document: Document) -> list[tuple[str, list[Hit]]]:
        """(name, hits) for every query that matches, in the order the queries were given."""
        matched = []
        for number in self._candidate_numbers(document):
            name, query = self._entries[number]
            hits = query.match(document)
            if hits is not None:
                matched.append((name, hits))
        return matched

    def first_match(self, document: Document) -> tuple[str, list[Hit]] | None:
        """The first query (in the order given) that matches, with its hits."""
        for number in self._candidate_numbers(document):
            name, query = self._entries[number]
            hits = query.match(document)
            if hits is not None:
                return name, hits
        return None

    def _candidate_numbers(self, document: Document) -> list[int]:
        numbers = set(self._always)
        for kind, keys in self._keys.items():
            index = self._by_trigger[kind]
            for value in document._holds(kind) & keys:
                numbers.update(index[value])
        return sorted(numbers)
