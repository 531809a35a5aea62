"""Text as queries see it: split into words, folded so that case and accents do not count."""

import re
import unicodedata
from functools import lru_cache

WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower-case and strip accents, so that 'Café' and 'cafe' are the same word."""
    if text.isascii():  # NFKD changes no ASCII character and none is a combining mark
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


fold_word = lru_cache(maxsize=65536)(fold)
