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

from monitor.query.document import Document, Hit
from monitor.query.matcher import Query
from monitor.query.parser import parse_query
from monitor.query.queryset import QuerySet
from monitor.query.syntax import (
    DEFAULT_NEAR,
    MAX_DEPTH,
    MAX_NEAR,
    MAX_QUERY_LENGTH,
    META_FIELDS,
    MIN_WILDCARD_PREFIX,
    SEARCH_FIELDS,
)
from monitor.query.text import fold
from monitor.query.tree import And, Lang, MatchAll, Near, Node, Not, Or, Site, Term

__all__ = [
    "DEFAULT_NEAR",
    "MAX_DEPTH",
    "MAX_NEAR",
    "MAX_QUERY_LENGTH",
    "META_FIELDS",
    "MIN_WILDCARD_PREFIX",
    "SEARCH_FIELDS",
    "And",
    "Document",
    "Hit",
    "Lang",
    "MatchAll",
    "Near",
    "Node",
    "Not",
    "Or",
    "Query",
    "QuerySet",
    "Site",
    "Term",
    "fold",
    "parse_query",
]
