"""Brand query language: parse a boolean query into a tree and match it against a mention.

Grammar (operators are upper case; whole words; case and accents are ignored):

    query    := or_expr ( "NOT" or_expr )*      a NOT b  ==  a AND NOT b, lowest precedence
    or_expr  := and_expr ( "OR" and_expr )*
    and_expr := unary ( ["AND"] unary )*        juxtaposition means AND
    unary    := ( "-" | "NOT" ) unary | primary   ("NOT" here only at the start or after AND)
    primary  := word | "quoted phrase" | "(" query ")" | "*"

Giving the exclusion the lowest precedence makes `acme OR "acme bank" NOT "acme corp"` mean what
people intend: (acme OR "acme bank") without "acme corp".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from monitor.errors import QueryError

MAX_QUERY_LENGTH = 4000
MAX_DEPTH = 40
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower-case and strip accents, so that 'Café' and 'cafe' are the same word."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


# --- tree -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    raw: str
    position: int


@dataclass(frozen=True)
class MatchAll:
    position: int = 0


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Term | MatchAll | Not | And | Or


# --- tokens -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # WORD PHRASE LPAREN RPAREN AND OR NOT MINUS STAR END
    text: str
    position: int


def _tokenise(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(query)
    while i < n:
        char = query[i]
        if char.isspace():
            i += 1
        elif char in "()":
            tokens.append(_Token("LPAREN" if char == "(" else "RPAREN", char, i))
            i += 1
        elif char == '"':
            end = query.find('"', i + 1)
            if end < 0:
                raise QueryError("unclosed quote", i)
            tokens.append(_Token("PHRASE", query[i + 1 : end], i))
            i = end + 1
        elif char == "-" and i + 1 < n and not query[i + 1].isspace() and query[i + 1] != ")":
            tokens.append(_Token("MINUS", char, i))
            i += 1
        else:
            start = i
            while i < n and not query[i].isspace() and query[i] not in '()"':
                i += 1
            word = query[start:i]
            kind = {"AND": "AND", "OR": "OR", "NOT": "NOT", "*": "STAR"}.get(word, "WORD")
            tokens.append(_Token(kind, word, start))
    tokens.append(_Token("END", "", n))
    return tokens


# --- parser -----------------------------------------------------------------------------------


class _Parser:
    def __init__(self, query: str) -> None:
        self.tokens = _tokenise(query)
        self.index = 0
        self.depth = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Node:
        if self.current.kind == "END":
            raise QueryError("the query is empty", 0)
        node = self.query()
        if self.current.kind == "RPAREN":
            raise QueryError("unexpected ')' without a matching '('", self.current.position)
        if self.current.kind != "END":  # pragma: no cover - every token kind is consumed above
            raise QueryError(f"unexpected {self.current.text!r}", self.current.position)
        return node

    def query(self) -> Node:
        node = self.or_expr()
        excluded: list[Node] = []
        while self.current.kind == "NOT":
            operator = self.advance()
            if self.current.kind in ("END", "RPAREN", "OR", "AND", "NOT"):
                raise QueryError("NOT needs a term after it", operator.position)
            excluded.append(Not(self.or_expr()))
        return And((node, *excluded)) if excluded else node

    def or_expr(self) -> Node:
        children = [self.and_expr()]
        while self.current.kind == "OR":
            operator = self.advance()
            if self.current.kind in ("END", "RPAREN", "OR", "AND"):
                raise QueryError("OR needs a term on both sides", operator.position)
            children.append(self.and_expr())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self) -> Node:
        children = [self.unary(explicit=True)]
        while True:
            kind = self.current.kind
            if kind == "AND":
                operator = self.advance()
                if self.current.kind in ("END", "RPAREN", "OR", "AND"):
                    raise QueryError("AND needs a term on both sides", operator.position)
                children.append(self.unary(explicit=True))
            elif kind in ("WORD", "PHRASE", "LPAREN", "MINUS", "STAR"):
                children.append(self.unary(explicit=False))
            else:
                break
        return children[0] if len(children) == 1 else And(tuple(children))

    def unary(self, *, explicit: bool) -> Node:
        token = self.current
        if token.kind == "MINUS" or (token.kind == "NOT" and explicit):
            self.advance()
            if self.current.kind in ("END", "RPAREN", "OR", "AND"):
                raise QueryError(f"{token.text} needs a term after it", token.position)
            return Not(self._nested(lambda: self.unary(explicit=True), token.position))
        return self.primary()

    def primary(self) -> Node:
        token = self.current
        if token.kind == "LPAREN":
            self.advance()
            if self.current.kind == "RPAREN":
                raise QueryError("empty parentheses", token.position)
            node = self._nested(self.query, token.position)
            if self.current.kind != "RPAREN":
                raise QueryError("missing ')' for the '(' opened", token.position)
            self.advance()
            return node
        if token.kind == "STAR":
            self.advance()
            return MatchAll(token.position)
        if token.kind in ("WORD", "PHRASE"):
            self.advance()
            words = tuple(fold(w) for w in _WORD.findall(token.text))
            if not words:
                what = "phrase" if token.kind == "PHRASE" else "term"
                raise QueryError(
                    f"the {what} {token.text!r} has no letters or digits", token.position
                )
            return Term(words, token.text, token.position)
        if token.kind == "END":
            raise QueryError("the query ends where a term was expected", token.position)
        if token.kind == "RPAREN":
            raise QueryError("unexpected ')' where a term was expected", token.position)
        raise QueryError(f"{token.text} needs a term on both sides", token.position)

    def _nested(self, parse: object, position: int) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError(f"nested more than {MAX_DEPTH} levels deep", position)
        try:
            assert callable(parse)
            node: Node = parse()
            return node
        finally:
            self.depth -= 1


def parse_query(query: str) -> Node:
    """Parse a query, raising QueryError with the column of the first problem."""
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"the query is longer than {MAX_QUERY_LENGTH} characters", MAX_QUERY_LENGTH
        )
    return _Parser(query).parse()


# --- matching ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """One place where a query term was found: which term, in which field, which characters."""

    term: str
    field: str
    start: int
    end: int


@dataclass
class Document:
    """A mention's searchable fields, tokenised once and matched against many queries."""

    fields: dict[str, str]
    _words: dict[str, list[tuple[str, int, int]]] = field(default_factory=dict, repr=False)
    _index: dict[str, dict[str, list[int]]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for name, text in self.fields.items():
            words = [(fold(m.group()), m.start(), m.end()) for m in _WORD.finditer(text or "")]
            index: dict[str, list[int]] = {}
            for position, (word, _, _) in enumerate(words):
                index.setdefault(word, []).append(position)
            self._words[name], self._index[name] = words, index

    def find(self, term: Term) -> list[Hit]:
        hits: list[Hit] = []
        first, rest = term.words[0], term.words[1:]
        for name, index in self._index.items():
            words = self._words[name]
            for position in index.get(first, ()):
                end = position + len(rest)
                if end >= len(words) and rest:
                    continue
                if all(words[position + 1 + k][0] == w for k, w in enumerate(rest)):
                    hits.append(Hit(term.raw, name, words[position][1], words[end][2]))
        return hits


def _evaluate(node: Node, doc: Document, hits: list[Hit]) -> bool:
    if isinstance(node, Term):
        found = doc.find(node)
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
    # Or: evaluate every branch so that the explanation names all the terms that hit.
    results = [_evaluate(child, doc, hits) for child in node.children]
    return any(results)


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
