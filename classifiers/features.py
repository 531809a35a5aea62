"""Text normalisation shared by training and prediction."""

from __future__ import annotations

import re

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_HANDLE = re.compile(r"@\w+")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_REPEAT = re.compile(r"(.)\1{3,}")


def normalise(text: str) -> str:
    """Lower-case, and replace what varies between posts but says nothing about the category.

    Handles become one token so that brand names do not leak into the model; numbers keep
    their shape ("16.00" and "5" look alike), long letter repeats are shortened ("!!!!!" -> "!!!").
    """
    text = _URL.sub(" urltoken ", text)
    text = _HANDLE.sub(" @user ", text)
    text = _NUMBER.sub(" 0 ", text)
    text = _REPEAT.sub(r"\1\1\1", text)
    return text.lower()
