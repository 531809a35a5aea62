"""The parsed query: one frozen dataclass per kind of node."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field

from monitor.query.text import fold


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
