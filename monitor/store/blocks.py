"""Blocklist entries learned from the queue: what agents mark as spam or irrelevant keeps the
next such item out.

- An author or a site marked as spam is blocked for every brand: its items are dropped before
  matching, like the config file's [blocklist].
- A phrase marked as irrelevant ("acme corp", the other company with the same name) is excluded
  from one brand's query, or every brand's: `query NOT "acme corp"`.

Blocking can also close the new, untouched mentions the entry would have kept out, each with its
own status change in the history.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from monitor.errors import WebcareError
from monitor.matching import EVERY_BRAND, LearnedBlocks, document_of, host_of, normalise_author
from monitor.query import Query
from monitor.query.text import WORD, fold
from monitor.store.events import record_event
from monitor.store.mentions import change_status
from monitor.store.models import Block, Mention, Source, User, utcnow

KINDS: tuple[str, ...] = ("author", "site", "phrase")
REASONS: tuple[str, ...] = ("spam", "irrelevant", "manual")
MAX_PHRASE_WORDS = 8
MAX_VALUE = 300
# Closing what a new entry would have kept out touches only what nobody has started on.
SWEPT_STATUSES = ("new",)
SWEEP_LIMIT = 5000


def phrase_words(value: str) -> tuple[str, ...]:
    """A phrase as the query language sees it: its words, folded."""
    return tuple(fold(w) for w in WORD.findall(value))


def normalise(kind: str, value: str) -> str:
    """The entry's value in the one spelling it is stored and compared in; a clear error for a
    value that cannot be blocked."""
    value = value.strip()
    if kind not in KINDS:
        raise WebcareError(f"unknown kind of block {kind!r}; expected one of {', '.join(KINDS)}")
    if not value:
        raise WebcareError(f"a blocked {kind} cannot be empty")
    if len(value) > MAX_VALUE:
        raise WebcareError(f"a blocked {kind} is at most {MAX_VALUE} characters")
    if kind == "author":
        author = normalise_author(value)
        if not author:
            raise WebcareError("a blocked author needs a name")
        return author
    if kind == "site":
        host = host_of(value if "://" in value else f"http://{value}")
        if not host or "." not in host:
            raise WebcareError(f"{value!r} is not a site; give a host such as example.com")
        return host
    words = phrase_words(value)
    if not words:
        raise WebcareError("a blocked phrase needs letters or digits")
    if len(words) > MAX_PHRASE_WORDS:
        raise WebcareError(f"a blocked phrase is at most {MAX_PHRASE_WORDS} words")
    if len(words) == 1 and len(words[0]) < 3:
        raise WebcareError(f"the phrase {value!r} is too short to block on its own")
    return " ".join(words)


def version(session: Session) -> tuple[int, int, str]:
    """Changes whenever an entry is added or removed: cheap enough to ask before every batch.
    The newest time counts too, as SQLite hands a removed last id out again."""
    count, highest, newest = session.execute(
        select(func.count(), func.max(Block.id), func.max(Block.created_at))
    ).one()
    return int(count), int(highest or 0), str(newest)


def load(session: Session) -> LearnedBlocks:
    authors, sites = set(), set()
    phrases: dict[str, list[tuple[str, ...]]] = {}
    for block in session.scalars(select(Block).order_by(Block.id)):
        if block.kind == "author":
            authors.add(block.value)
        elif block.kind == "site":
            sites.add(block.value)
        else:
            phrases.setdefault(block.brand, []).append(tuple(block.value.split()))
    return LearnedBlocks(
        frozenset(authors), frozenset(sites), {b: tuple(p) for b, p in phrases.items()}
    )


def list_blocks(session: Session) -> list[Block]:
    return list(session.scalars(select(Block).order_by(Block.created_at.desc(), Block.id.desc())))


def add_block(
    session: Session,
    kind: str,
    value: str,
    *,
    by: User | None,
    reason: str = "manual",
    brand: str = EVERY_BRAND,
    mention_id: int | None = None,
) -> tuple[Block, bool]:
    """Store an entry (the existing one when it is already there); returns it and whether it is
    new. Authors and sites are blocked for every brand."""
    if reason not in REASONS:
        raise WebcareError(f"unknown reason {reason!r}; expected one of {', '.join(REASONS)}")
    value = normalise(kind, value)
    if kind != "phrase":
        brand = EVERY_BRAND
    existing = session.scalar(
        select(Block).where(Block.kind == kind, Block.value == value, Block.brand == brand)
    )
    if existing is not None:
        return existing, False
    block = Block(
        kind=kind,
        value=value,
        brand=brand,
        reason=reason,
        mention_id=mention_id,
        created_by=by.name if by else "system",
        created_at=utcnow(),
    )
    session.add(block)
    session.flush()
    record_event(
        session,
        "block.added",
        mention_id=mention_id,
        user_id=by.id if by else None,
        actor=by.name if by else "system",
        data={"kind": kind, "value": value, "brand": brand, "reason": reason},
    )
    return block, True


def remove_block(session: Session, block_id: int, *, by: User | None) -> Block:
    block = session.get(Block, block_id)
    if block is None:
        raise WebcareError(f"block {block_id} does not exist")
    session.delete(block)
    record_event(
        session,
        "block.removed",
        user_id=by.id if by else None,
        actor=by.name if by else "system",
        data={"kind": block.kind, "value": block.value, "brand": block.brand},
    )
    return block


def blocks(block: Block, mention: Mention) -> bool:
    """Whether the entry would have kept this mention out."""
    if block.kind == "author":
        return normalise_author(mention.author) == block.value
    if block.kind == "site":
        host = host_of(mention.url)
        return host is not None and (host == block.value or host.endswith("." + block.value))
    if block.brand not in (EVERY_BRAND, mention.brand):
        return False
    doc = document_of(mention.title, mention.text, mention.author, mention.url, mention.language)
    return Query.compile(f'"{block.value}"').match(doc) is not None


# Letters the texts may write with an accent (é, ü, ç, ñ, š): any one character in the pattern.
_MAY_CARRY_ACCENT = frozenset("aeiouycnsz")


def like_any_accent(word: str) -> str:
    """A LIKE pattern for a folded word that also finds it written with accents ("energie"
    finds "énergie", "ÉNERGIE" on PostgreSQL): a coarse first cut, blocks() decides."""
    out = []
    for char in word:
        if char in _MAY_CARRY_ACCENT:
            out.append("_")
        elif char == "_":  # a word character, and LIKE's any-one-character
            out.append("\\_")
        else:
            out.append(char)
    return "".join(out)


def sweep(session: Session, block: Block, *, by: User | None) -> list[int]:
    """Close the new mentions the entry would have kept out: as spam when it was learned from
    spam, else dismissed. Returns their ids."""
    query = select(Mention).where(Mention.status.in_(SWEPT_STATUSES))
    if block.kind == "author":
        # lower() is a coarse first cut (SQLite folds only ASCII); blocks() decides.
        query = query.where(func.lower(Mention.author).in_([block.value, "@" + block.value]))
    elif block.kind == "site":
        query = query.where(Mention.url.ilike(f"%{block.value}%"))
    else:
        if block.brand != EVERY_BRAND:
            query = query.where(Mention.brand == block.brand)
        pattern = f"%{like_any_accent(max(block.value.split(), key=len))}%"
        query = query.where(
            or_(Mention.title.ilike(pattern, escape="\\"), Mention.text.ilike(pattern, escape="\\"))
        )
    status = "spam" if block.reason == "spam" else "dismissed"
    closed = []
    for mention in session.scalars(query.order_by(Mention.id).limit(SWEEP_LIMIT)):
        if mention.id != block.mention_id and blocks(block, mention):
            change_status(session, mention.id, status, by)
            closed.append(mention.id)
    return closed


@dataclass(frozen=True)
class Suggestion:
    kind: str
    value: str
    marks: int


def spam_suggestions(
    session: Session, *, days: int = 90, min_marks: int = 2, limit: int = 20
) -> list[Suggestion]:
    """Authors and sites that agents marked as spam more than once and nobody has blocked yet,
    most marked first."""
    since = utcnow() - timedelta(days=days)
    rows = session.execute(
        select(Mention.author, Mention.url, Source.type, Source.url)
        .join(Source, Source.id == Mention.source_id)
        .where(Mention.status == "spam", Mention.updated_at >= since)
    )
    counts: Counter[tuple[str, str]] = Counter()
    for author, url, source_type, source_url in rows:
        if author and normalise_author(author):
            counts["author", normalise_author(author)] += 1
        host = _blockable_site(url, source_type, source_url)
        if host:
            counts["site", host] += 1
    blocked = {(kind, value) for kind, value in session.execute(select(Block.kind, Block.value))}
    found = [
        Suggestion(kind, value, marks)
        for (kind, value), marks in counts.most_common()
        if marks >= min_marks and (kind, value) not in blocked
    ]
    return found[:limit]


def phrase_suggestions(mention: Mention, limit: int = 4) -> list[str]:
    """Phrases that would exclude this mention and little else: each matched term with the word
    after it, then with the word before it ("acme corp", "bij acme")."""
    found: list[str] = []
    for hit in mention.matched or ():
        field_text = mention.title if hit.get("field") == "title" else mention.text
        start, end = int(hit.get("start", 0)), int(hit.get("end", 0))
        if not field_text or not 0 <= start < end <= len(field_text):
            continue
        term = field_text[start:end]
        after = WORD.findall(field_text[end : end + 60])
        before = WORD.findall(field_text[max(0, start - 60) : start])
        for phrase in (
            f"{term} {after[0]}" if after else "",
            f"{before[-1]} {term}" if before else "",
        ):
            words = phrase_words(phrase)
            if len(words) >= 2 and " ".join(words) not in found:
                found.append(" ".join(words))
    return found[:limit]


# Sources whose items live on the platform itself: blocking the item's site would block the
# whole platform (reddit.com, an app store, a Mastodon server), so only the author is offered.
PLATFORM_SOURCES = frozenset({"reddit", "youtube", "mastodon", "appstore", "imap"})


def what_to_block(mention: Mention) -> dict[str, str]:
    """The author and site of a mention, as they would be blocked (absent: nothing to block)."""
    found = {}
    author = normalise_author(mention.author)
    if author:
        found["author"] = author
    host = _blockable_site(mention.url, mention.source.type, mention.source.url)
    if host:
        found["site"] = host
    return found


def _blockable_site(url: str | None, source_type: str, source_url: str) -> str | None:
    """The item's site, unless blocking it would block the source itself."""
    host = host_of(url)
    if not host or source_type in PLATFORM_SOURCES or host == host_of(source_url):
        return None
    return host
