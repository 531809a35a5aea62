"""Pictures that come with an item: what format they really are (by their bytes, not by what
the sender declared), and whether they arrived whole."""

from __future__ import annotations

import re

MAX_IMAGE_BYTES = 4 * 1024 * 1024
MAX_IMAGES = 5
# The formats every browser shows as a picture and nothing else; SVG is left out on purpose.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}
_UNSAFE_NAME = re.compile(r"[^\w.\- ]+")


def sniff(data: bytes) -> str | None:
    """The picture's real type, or None when it is not one of the safe formats."""
    for magic, kind in _SIGNATURES:
        if data.startswith(magic):
            return kind
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def is_whole(kind: str, data: bytes) -> bool:
    """Whether the picture ends where its format says it ends: a mail read only in part can
    cut the last attachment short."""
    if kind == "image/png":
        return data.rstrip(b"\x00").endswith(b"IEND\xaeB`\x82")
    if kind == "image/jpeg":
        return data.rstrip(b"\x00").endswith(b"\xff\xd9")
    if kind == "image/gif":
        return data.endswith(b";")
    return int.from_bytes(data[4:8], "little") + 8 <= len(data)


def safe_filename(name: str | None, kind: str) -> str:
    """A file name fit for a download header: no paths, no odd characters, the right ending."""
    base = _UNSAFE_NAME.sub("_", (name or "").replace("\\", "/").rsplit("/", 1)[-1]).strip(" ._")
    stem = base.rsplit(".", 1)[0][:100] if base else "image"
    return f"{stem or 'image'}.{_EXTENSIONS[kind]}"
