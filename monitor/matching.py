"""Which brand an item is about: blocklists first, then the brand queries (or a source's own)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from monitor.config import Settings
from monitor.names import FORWARDS_SOURCE
from monitor.query import And, Document, Hit, Not, Query, QuerySet, Term
from monitor.sources.base import Item


@dataclass(frozen=True)
class Brand:
    name: str
    query: Query


def normalise_author(value: str) -> str:
    """An author as blocklists compare it: "@Klant" and "klant" are the same person."""
    return value.strip().lstrip("@").casefold()


def host_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.lower().removeprefix("www.") if host else None


@dataclass(frozen=True)
class Blocklist:
    domains: frozenset[str] = frozenset()
    authors: frozenset[str] = frozenset()

    @classmethod
    def of(cls, domains: Sequence[str], authors: Sequence[str]) -> Blocklist:
        return cls(
            frozenset(d.lower() for d in domains), frozenset(normalise_author(a) for a in authors)
        )

    def reason(self, item: Item) -> str | None:
        """Why the item is blocked, or None."""
        host = host_of(item.url)
        if host and any(host == d or host.endswith("." + d) for d in self.domains):
            return f"site {host} is on the blocklist"
        if item.author and normalise_author(item.author) in self.authors:
            return f"author {item.author} is on the blocklist"
        return None


EVERY_BRAND = "*"


@dataclass(frozen=True)
class LearnedBlocks:
    """Blocklist entries agents made in the queue (monitor.store.blocks), as matching needs
    them: authors and sites for every brand, phrases per brand ("*": every brand)."""

    authors: frozenset[str] = frozenset()
    sites: frozenset[str] = frozenset()
    phrases: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)

    def phrases_for(self, brand: str) -> tuple[tuple[str, ...], ...]:
        return self.phrases.get(EVERY_BRAND, ()) + self.phrases.get(brand, ())


def excluding(query: Query, phrases: Sequence[tuple[str, ...]]) -> Query:
    """The query with `NOT "phrase"` for each phrase, built as a tree: no length limit, and the
    phrases need no quoting."""
    if not phrases:
        return query
    quoted = [" ".join(words) for words in phrases]
    text = query.text + "".join(f' NOT "{q}"' for q in quoted)
    nots = tuple(Not(Term(words, q, 0)) for words, q in zip(phrases, quoted, strict=True))
    return Query(text, And((query.tree, *nots)))


@dataclass(frozen=True)
class SourceRules:
    """What one source's items are matched against."""

    brands: tuple[Brand, ...]
    blocklist: Blocklist
    # The brand an item that matches no query goes to (forwards: a person vouched for them).
    fallback: str | None = None
    queries: QuerySet = field(init=False)

    def __post_init__(self) -> None:
        # Insertion order is brand order: the first brand whose query matches owns the item.
        queries = QuerySet({brand.name: brand.query for brand in self.brands})
        object.__setattr__(self, "queries", queries)


def rules_for(settings: Settings, source: str, learned: LearnedBlocks | None = None) -> SourceRules:
    learned = learned or LearnedBlocks()
    if source == FORWARDS_SOURCE:
        # An employee chose to send it: no blocklist, and the first brand when no query says.
        every = tuple(
            Brand(b.name, excluding(Query.compile(b.query), learned.phrases_for(b.name)))
            for b in settings.brands
        )
        return SourceRules(every, Blocklist(), every[0].name if every else None)
    config = settings.source(source)
    wanted = config.brands if config and config.brands is not None else None
    brands = []
    for brand in settings.brands:
        if wanted is not None and brand.name not in wanted:
            continue
        query = config.query if config and config.query is not None else brand.query
        compiled = excluding(Query.compile(query), learned.phrases_for(brand.name))
        brands.append(Brand(brand.name, compiled))
    extra_domains = config.block_domains if config else ()
    extra_authors = config.block_authors if config else ()
    blocklist = Blocklist.of(
        [*settings.blocklist.domains, *extra_domains, *learned.sites],
        [*settings.blocklist.authors, *extra_authors, *learned.authors],
    )
    return SourceRules(tuple(brands), blocklist)


@dataclass(frozen=True)
class Matched:
    item: Item
    brand: str
    hits: list[Hit]
    language: str | None = None


@dataclass
class MatchOutcome:
    matched: list[Matched] = field(default_factory=list)
    unmatched: list[Item] = field(default_factory=list)
    blocked: list[tuple[Item, str]] = field(default_factory=list)


def document_of(
    title: str, text: str, author: str | None, url: str | None, language: str | None
) -> Document:
    """The one place that decides what a query can see of a mention or item."""
    return Document({"title": title, "text": text}, author=author, url=url, language=language)


def match_items(
    items: Sequence[Item],
    rules: SourceRules,
    languages: Sequence[str | None] | None = None,
) -> MatchOutcome:
    """Blocked items are set aside; of the rest, the first brand whose query matches owns each.

    languages, aligned with items, is what `lang:` in a query compares with.
    """
    outcome = MatchOutcome()
    for index, item in enumerate(items):
        reason = rules.blocklist.reason(item)
        if reason:
            outcome.blocked.append((item, reason))
            continue
        language = languages[index] if languages is not None else item.language_hint
        document = document_of(item.title, item.text, item.author, item.url, language)
        found = rules.queries.first_match(document)
        if found is None and rules.fallback is not None:
            outcome.matched.append(Matched(item, rules.fallback, [], language))
        elif found is None:
            outcome.unmatched.append(item)
        else:
            outcome.matched.append(Matched(item, found[0], found[1], language))
    return outcome
