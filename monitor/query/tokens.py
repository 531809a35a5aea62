"""The tokeniser: a query's text as a list of tokens (words, quotes, fields, operators)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.errors import QueryError
from monitor.query.syntax import MAX_NEAR, META_FIELDS, SEARCH_FIELDS

_PREFIX = re.compile(r"([A-Za-z]+):")
_NEAR = re.compile(r"NEAR(?:/([0-9]+))?")
_HOST = re.compile(r"[\w-]+(?:\.[\w-]+)*")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")


@dataclass(frozen=True)
class Token:
    kind: str  # WORD PHRASE EXACT FIELD SITE LANG NEAR LPAREN RPAREN AND OR NOT MINUS STAR END
    text: str
    position: int


_OPERATORS = {"AND": "AND", "OR": "OR", "NOT": "NOT", "*": "STAR"}


def tokenise(query: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(query)
    while i < n:
        char = query[i]
        if char.isspace():
            i += 1
        elif char in "()":
            tokens.append(Token("LPAREN" if char == "(" else "RPAREN", char, i))
            i += 1
        elif char in '"{':
            closing = '"' if char == '"' else "}"
            end = query.find(closing, i + 1)
            if end < 0:
                raise QueryError("unclosed quote" if char == '"' else "unclosed '{'", i)
            tokens.append(Token("PHRASE" if char == '"' else "EXACT", query[i + 1 : end], i))
            i = end + 1
        elif char == "}":
            raise QueryError("unexpected '}' without a matching '{'", i)
        elif char == "-" and i + 1 < n and not query[i + 1].isspace() and query[i + 1] != ")":
            tokens.append(Token("MINUS", char, i))
            i += 1
        elif prefix := _field_prefix(query, i):
            i = _add_field(tokens, query, i, prefix)
        else:
            start = i
            while i < n and not query[i].isspace() and query[i] not in '()"{}':
                i += 1
            tokens.append(_word_token(query[start:i], start))
    tokens.append(Token("END", "", n))
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


def _add_field(tokens: list[Token], query: str, i: int, name: str) -> int:
    start = i + len(name) + 1
    if name in SEARCH_FIELDS:
        tokens.append(Token("FIELD", name, i))
        return start
    end = start
    while end < len(query) and not query[end].isspace() and query[end] not in "()":
        end += 1
    value = query[start:end].lower()
    if name == "site" and _HOST.fullmatch(value):
        tokens.append(Token("SITE", value, i))
    elif name == "lang" and _LANGUAGE.fullmatch(value):
        tokens.append(Token("LANG", value, i))
    else:
        example = "a host name such as example.com" if name == "site" else "a code such as nl"
        raise QueryError(f"{name}: needs {example}", start)
    return end


def _word_token(word: str, position: int) -> Token:
    if word == "NEAR" or word.startswith("NEAR/"):
        found = _NEAR.fullmatch(word)
        if not found:
            raise QueryError("NEAR needs a distance such as NEAR/5", position)
        if found.group(1) and int(found.group(1)) > MAX_NEAR:
            raise QueryError(f"{word} is too far: the largest distance is {MAX_NEAR}", position)
        return Token("NEAR", word, position)
    return Token(_OPERATORS.get(word, "WORD"), word, position)
