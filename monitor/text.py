"""Turn hostile feed markup into bounded plain text that is safe to store and display."""

from __future__ import annotations

import html
import re

import nh3

MAX_TITLE = 500
MAX_TEXT = 20_000
MAX_AUTHOR = 200
_BLOCK_TAGS = re.compile(r"<\s*(br|/p|/div|/li|/h[1-6]|/blockquote|/tr)\b[^>]*>", re.IGNORECASE)
# A block that opens right after text starts a line too: "a.<p>b" (Hacker News) is not "a.b".
_BLOCK_AFTER_TEXT = re.compile(
    r"(?<=[^>\s])<\s*(p|div|li|h[1-6]|blockquote|tr)\b[^>]*>", re.IGNORECASE
)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def html_to_text(markup: str | None, limit: int = MAX_TEXT) -> str:
    """Strip every tag (dropping script and style content), unescape entities, tidy whitespace.

    The result is plain text: templates escape it again on display, so nothing from a feed is
    ever rendered as markup.
    """
    if not markup:
        return ""
    # Bound the work before parsing: a hostile feed can carry megabytes in one field.
    markup = markup[: limit * 4]
    markup = _BLOCK_AFTER_TEXT.sub("\n", markup)
    markup = _BLOCK_TAGS.sub("\n", markup)
    stripped = nh3.clean(markup, tags=set(), attributes={}, strip_comments=True)
    return plain_text(html.unescape(stripped), limit)


def plain_text(text: str | None, limit: int = MAX_TEXT) -> str:
    """Text that is already plain (JSON Feed content_text): tidy and bound it, keep every '<'."""
    if not text:
        return ""
    text = _CONTROL.sub("", text[: limit * 4]).replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = _BLANK_LINES.sub("\n\n", text).strip()
    return truncate(text, limit)


def clean_line(value: str | None, limit: int) -> str:
    """A single-line field (title, author): plain text on one line, bounded."""
    return truncate(" ".join(html_to_text(value, limit).split()), limit)


def truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.8:
        cut = cut[:space]
    return cut.rstrip() + "…"
