"""Brand query language: parse a boolean query into a tree and match it against a mention.

Grammar (operators are upper case; terms match whole words, ignoring case and accents):

    query    := or_expr ( "NOT" or_expr )*        a NOT b  ==  a AND NOT b, lowest precedence
    or_expr  := and_expr ( "OR" and_expr )*
    and_expr := unary ( ["AND"] unary )*          juxtaposition means AND
    unary    := ( "-" | "NOT" ) unary | near     ("NOT" here only at the start or after AND)
    near     := primary [ "NEAR" ["/" n] primary ]   n in 0..50, plain NEAR is NEAR/5
    primary  := term | field ":" ( term | "(" query ")" ) | "site:" host | "lang:" code
              | "(" query ")" | "*"
    term     := word ["*"] | '"' words ["*"] '"' | "{" ['"'] words ["*"] ['"'] "}"
    field    := "title" | "text" | "author"

Giving the exclusion the lowest precedence makes `acme OR "acme bank" NOT "acme corp"` mean what
people intend: (acme OR "acme bank") without "acme corp".

- `a NEAR/3 b`: a and b in the same field, in either order, with at most 3 words between them
  (NEAR/0: next to each other). Each side is a term or a parenthesised OR of terms; NEAR does
  not chain: write `(a NEAR b) AND (b NEAR c)`.
- `klant*`: whole words that begin with "klant"; at least 3 letters or digits before the `*`,
  and only the last word of a phrase may carry one (`"stroomlijn app*"`).
- `{ING}`: case and accents count (not "Ing", not "ing"); still whole words.
- `title:` and `text:` limit terms to that field; `author:` searches the author, which other terms
  never do. Before a group (`title:(a OR b)`) the prefix applies to every term inside it, unless
  a term has its own. `site:example.com` matches a URL whose host is example.com or one of its
  subdomains; `lang:nl` matches the detected language. site: and lang: add no hits: they point
  at no characters.
- A field prefix is ASCII letters, a colon and, right after it, anything but a space or "/": so
  `16:00` and `https://example.com` stay ordinary words, while an unknown prefix such as
  `titel:` is an error (quote it to search for the words: `"re:acme"`). A prefix binds tighter
  than anything else: `title:a b` is `(title:a) AND b`.

QuerySet matches many named queries at once: each document is evaluated only against the queries
it could match, those with at least one of their trigger words (or wildcard starts, hosts,
languages) in it, which gives the same answers as evaluating them all.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from functools import lru_cache
from urllib.parse import urlsplit

from monitor.errors import QueryError

MAX_QUERY_LENGTH = 4000
MAX_DEPTH = 40
MAX_NEAR = 50
DEFAULT_NEAR = 5
MIN_WILDCARD_PREFIX = 3
SEARCH_FIELDS = ("title", "text", "author")
META_FIELDS = ("site", "lang")
_WORD = re.compile(r"\w+")
_WORD_CHAR = re.compile(r"\w")
_PREFIX = re.compile(r"([A-Za-z]+):")
_NEAR = re.compile(r"NEAR(?:/([0-9]+))?")
_HOST = re.compile(r"[\w-]+(?:\.[\w-]+)*")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")


def fold(text: str) -> str:
    """Lower-case and strip accents, so that 'Café' and 'cafe' are the same word."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


_fold_word = lru_cache(maxsize=65536)(fold)


# --- tree -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """Words in a row. `field`: the only field searched (None: title, text and the like);
    `prefix`: the last word need only begin a word; `exact`: case and accents count, and `words`
    are kept as written."""

    words: tuple[str, ...]
    raw: str
    position: int
    field: str | None = None
    prefix: bool = False
    exact: bool = False
    keys: tuple[str, ...] = dataclass_field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        keys = tuple(fold(w) for w in self.words) if self.exact else self.words
        object.__setattr__(self, "keys", keys)  # the folded words, which the index is keyed on


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


@dataclass(frozen=True)
class Near:
    """Any of `left` within `distance` words of any of `right`, in one field."""

    left: tuple[Term, ...]
    right: tuple[Term, ...]
    distance: int


@dataclass(frozen=True)
class Site:
    host: str
    position: int


@dataclass(frozen=True)
class Lang:
    code: str
    position: int


Node = Term | MatchAll | Not | And | Or | Near | Site | Lang


# --- tokens -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # WORD PHRASE EXACT FIELD SITE LANG NEAR LPAREN RPAREN AND OR NOT MINUS STAR END
    text: str
    position: int


_OPERATORS = {"AND": "AND", "OR": "OR", "NOT": "NOT", "*": "STAR"}
_TERM_KINDS = ("WORD", "PHRASE", "EXACT")
_NO_OPERAND = ("END", "RPAREN", "OR", "AND", "NEAR")


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
        elif char in '"{':
            closing = '"' if char == '"' else "}"
            end = query.find(closing, i + 1)
            if end < 0:
                raise QueryError("unclosed quote" if char == '"' else "unclosed '{'", i)
            tokens.append(_Token("PHRASE" if char == '"' else "EXACT", query[i + 1 : end], i))
            i = end + 1
        elif char == "}":
            raise QueryError("unexpected '}' without a matching '{'", i)
        elif char == "-" and i + 1 < n and not query[i + 1].isspace() and query[i + 1] != ")":
            tokens.append(_Token("MINUS", char, i))
            i += 1
        elif prefix := _field_prefix(query, i):
            i = _add_field(tokens, query, i, prefix)
        else:
            start = i
            while i < n and not query[i].isspace() and query[i] not in '()"{}':
                i += 1
            tokens.append(_word_token(query[start:i], start))
    tokens.append(_Token("END", "", n))
    return tokens


def _field_prefix(query: str, i: int) -> str | None:
    """The field name if a prefix starts here; None for words like 16:00, https://x or 'let op:'."""
    found = _PREFIX.match(query, i)
    if not found:
        return None
    name, after = found.group(1).lower(), found.end()
    attached = after < len(query) and not query[after].isspace() and query[after] != "/"
    if name in SEARCH_FIELDS + META_FIELDS:
        if not attached:
            example = {"site": "example.com", "lang": "nl"}.get(name, "acme")
            raise QueryError(
                f"{name}: needs a term right after the colon, like {name}:{example}", i
            )
        return name
    if attached:
        known = ", ".join(f"{f}:" for f in SEARCH_FIELDS + META_FIELDS)
        raise QueryError(f"unknown field '{found.group(1)}:'; the fields are {known}", i)
    return None


def _add_field(tokens: list[_Token], query: str, i: int, name: str) -> int:
    start = i + len(name) + 1
    if name in SEARCH_FIELDS:
        tokens.append(_Token("FIELD", name, i))
        return start
    end = start
    while end < len(query) and not query[end].isspace() and query[end] not in "()":
        end += 1
    value = query[start:end].lower()
    if name == "site" and _HOST.fullmatch(value):
        tokens.append(_Token("SITE", value, i))
    elif name == "lang" and _LANGUAGE.fullmatch(value):
        tokens.append(_Token("LANG", value, i))
    else:
        example = "a host name such as example.com" if name == "site" else "a code such as nl"
        raise QueryError(f"{name}: needs {example}", start)
    return end


def _word_token(word: str, position: int) -> _Token:
    if word == "NEAR" or word.startswith("NEAR/"):
        found = _NEAR.fullmatch(word)
        if not found:
            raise QueryError("NEAR needs a distance such as NEAR/5", position)
        if found.group(1) and int(found.group(1)) > MAX_NEAR:
            raise QueryError(f"{word} is too far: the largest distance is {MAX_NEAR}", position)
        return _Token("NEAR", word, position)
    return _Token(_OPERATORS.get(word, "WORD"), word, position)


def _term(token: _Token) -> Term:
    """A WORD, PHRASE or EXACT token as a Term, its wildcard checked."""
    content, offset = token.text, token.position + (token.kind != "WORD")
    if token.kind == "EXACT":
        content, offset = _unquoted(content, offset)
    words_text, prefix = _without_wildcard(content, offset)
    words = tuple(_WORD.findall(words_text))
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


# --- parser -----------------------------------------------------------------------------------

_NEAR_OPERANDS = "NEAR can only join words, phrases or (a OR b) groups of them"


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


# --- documents --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """One place where a query term was found: which term, in which field, which characters."""

    term: str
    field: str
    start: int
    end: int


class _Words:
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
            self.folded = _WORD.findall(text.lower())
        else:
            self.folded = [w.lower() if w.isascii() else _fold_word(w) for w in self.written]
        self.vocabulary = frozenset(self.folded)

    @property
    def written(self) -> list[str]:
        if self._written is None:
            self._written = _WORD.findall(self.text)
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
            self._spans = [m.span() for m in _WORD.finditer(self.text)]
        return self._spans[first][0], self._spans[last][1]


class Document:
    """A mention, tokenised once and matched against many queries.

    `fields` (title, text, ...) are what terms search unless a field prefix says otherwise;
    `author` is searched only by author:, `url` only by site:, `language` only by lang:.
    """

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
        self._words = {name: _Words(text or "") for name, text in self.fields.items()}
        if author is not None:
            self._words["author"] = _Words(self.author)
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


# --- matching ---------------------------------------------------------------------------------


def _occurrences(term: Term, words: _Words) -> list[tuple[int, int]]:
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


def _places(terms: tuple[Term, ...], name: str, words: _Words, doc: Document) -> list[_Place]:
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


# --- many queries at once ---------------------------------------------------------------------

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
