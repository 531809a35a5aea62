"""The parser: tokens into a tree, with the column of the first problem in any QueryError."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from monitor.errors import QueryError
from monitor.query.syntax import DEFAULT_NEAR, MAX_DEPTH, MAX_QUERY_LENGTH, MIN_WILDCARD_PREFIX
from monitor.query.text import WORD, fold
from monitor.query.tokens import Token, tokenise
from monitor.query.tree import And, Lang, MatchAll, Near, Node, Not, Or, Site, Term

_WORD_CHAR = re.compile(r"\w")
_TERM_KINDS = ("WORD", "PHRASE", "EXACT")
_NO_OPERAND = ("END", "RPAREN", "OR", "AND", "NEAR")

_NEAR_OPERANDS = "NEAR can only join words, phrases or (a OR b) groups of them"


class _Parser:
    def __init__(self, query: str) -> None:
        self.tokens = tokenise(query)
        self.index = 0
        self.depth = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
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
            if self.current.kind in (*_NO_OPERAND, "NOT"):
                raise QueryError("NOT needs a term after it", operator.position)
            excluded.append(Not(self.or_expr()))
        return And((node, *excluded)) if excluded else node

    def or_expr(self) -> Node:
        children = [self.and_expr()]
        while self.current.kind == "OR":
            operator = self.advance()
            if self.current.kind in _NO_OPERAND:
                raise QueryError("OR needs a term on both sides", operator.position)
            children.append(self.and_expr())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self) -> Node:
        children = [self.unary(explicit=True)]
        while True:
            kind = self.current.kind
            if kind == "AND":
                operator = self.advance()
                if self.current.kind in _NO_OPERAND:
                    raise QueryError("AND needs a term on both sides", operator.position)
                children.append(self.unary(explicit=True))
            elif kind in (*_TERM_KINDS, "FIELD", "SITE", "LANG", "LPAREN", "MINUS", "STAR"):
                children.append(self.unary(explicit=False))
            else:
                break
        return children[0] if len(children) == 1 else And(tuple(children))

    def unary(self, *, explicit: bool) -> Node:
        token = self.current
        if token.kind == "MINUS" or (token.kind == "NOT" and explicit):
            self.advance()
            if self.current.kind in _NO_OPERAND:
                raise QueryError(f"{token.text} needs a term after it", token.position)
            return Not(self._nested(lambda: self.unary(explicit=True), token.position))
        return self.near()

    def near(self) -> Node:
        left_at = self.current.position
        left = self.primary()
        if self.current.kind != "NEAR":
            return left
        operator = self.advance()
        if self.current.kind in _NO_OPERAND:
            raise QueryError("NEAR needs a term on both sides", operator.position)
        right_at = self.current.position
        if self.current.kind in ("NOT", "MINUS"):
            raise QueryError(_NEAR_OPERANDS, right_at)
        right = self.primary()
        if self.current.kind == "NEAR":
            raise QueryError(
                "NEAR joins two terms; for more write (a NEAR b) AND (b NEAR c)",
                self.current.position,
            )
        distance = int(operator.text.partition("/")[2] or DEFAULT_NEAR)
        return Near(_near_operand(left, left_at), _near_operand(right, right_at), distance)

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
        if token.kind in _TERM_KINDS:
            self.advance()
            return _term(token)
        if token.kind == "FIELD":
            self.advance()
            if self.current.kind not in (*_TERM_KINDS, "LPAREN"):
                raise QueryError(
                    f"{token.text}: needs a word, phrase or (group) right after it", token.position
                )
            return _restricted(self.primary(), token.text)
        if token.kind in ("SITE", "LANG"):
            self.advance()
            return (Site if token.kind == "SITE" else Lang)(token.text, token.position)
        if token.kind == "END":
            raise QueryError("the query ends where a term was expected", token.position)
        if token.kind == "RPAREN":
            raise QueryError("unexpected ')' where a term was expected", token.position)
        raise QueryError(f"{token.kind} needs a term on both sides", token.position)

    def _nested(self, parse: Callable[[], Node], position: int) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError(f"nested more than {MAX_DEPTH} levels deep", position)
        try:
            return parse()
        finally:
            self.depth -= 1


def _near_operand(node: Node, position: int) -> tuple[Term, ...]:
    if isinstance(node, Term):
        return (node,)
    if isinstance(node, Or):
        return tuple(term for child in node.children for term in _near_operand(child, position))
    raise QueryError(_NEAR_OPERANDS, position)


def _restricted(node: Node, field: str) -> Node:
    """Limit every term under `node` that has no field of its own to `field`."""
    if isinstance(node, Term):
        return _restricted_term(node, field)
    if isinstance(node, And | Or):
        return type(node)(tuple(_restricted(child, field) for child in node.children))
    if isinstance(node, Not):
        return Not(_restricted(node.child, field))
    if isinstance(node, Near):
        left, right = (
            tuple(_restricted_term(t, field) for t in s) for s in (node.left, node.right)
        )
        return Near(left, right, node.distance)
    return node


def _restricted_term(term: Term, field: str) -> Term:
    return term if term.field else replace(term, field=field)


def parse_query(query: str) -> Node:
    """Parse a query, raising QueryError with the column of the first problem."""
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"the query is longer than {MAX_QUERY_LENGTH} characters", MAX_QUERY_LENGTH
        )
    return _Parser(query).parse()


def _term(token: Token) -> Term:
    """A WORD, PHRASE or EXACT token as a Term, its wildcard checked."""
    content, offset = token.text, token.position + (token.kind != "WORD")
    if token.kind == "EXACT":
        content, offset = _unquoted(content, offset)
    words_text, prefix = _without_wildcard(content, offset)
    words = tuple(WORD.findall(words_text))
    if not words:
        what = {"WORD": "term", "PHRASE": "phrase", "EXACT": "case-sensitive term"}[token.kind]
        raise QueryError(f"the {what} {token.text!r} has no letters or digits", token.position)
    if prefix and min(len(words[-1]), len(fold(words[-1]))) < MIN_WILDCARD_PREFIX:
        raise QueryError(
            f"a wildcard needs at least {MIN_WILDCARD_PREFIX} characters before *",
            offset + len(words_text),
        )
    exact = token.kind == "EXACT"
    if not exact:
        words = tuple(fold(w) for w in words)
    return Term(words, content, token.position, prefix=prefix, exact=exact)


def _unquoted(content: str, offset: int) -> tuple[str, int]:
    """{"ING Bank"} means the same as {ING Bank}."""
    stripped = content.strip()
    if len(stripped) >= 2 and stripped[0] == stripped[-1] == '"':
        return stripped[1:-1], offset + content.index('"') + 1
    return content, offset


def _without_wildcard(content: str, offset: int) -> tuple[str, bool]:
    if "*" not in content:
        return content, False
    body, star = content.rstrip(), content.index("*")
    if star != len(body) - 1 or not _WORD_CHAR.match(body[star - 1 : star] or " "):
        raise QueryError("a wildcard * can only end a word, like klant*", offset + star)
    return body[:-1], True
