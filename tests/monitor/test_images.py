"""Pictures that come with an item are judged by their bytes: only formats a browser shows as
a picture, only whole ones, under a safe name."""

from __future__ import annotations

import base64
import struct
import zlib

import pytest

from monitor.images import is_whole, safe_filename, sniff


def png(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


GIF = base64.b64decode("R0lGODlhAQABAIAAAP///wAAACwAAAAAAQABAAACAkQBADs=")


def test_the_safe_formats_are_known_by_their_bytes() -> None:
    assert sniff(png()) == "image/png"
    assert sniff(b"\xff\xd8\xff\xe0" + b"\x00" * 20 + b"\xff\xd9") == "image/jpeg"
    assert sniff(GIF) == "image/gif"
    assert sniff(b"RIFF\x16\x00\x00\x00WEBPVP8 " + b"\x00" * 14) == "image/webp"


@pytest.mark.parametrize(
    "data",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"<html><script>alert(1)</script></html>",
        b"%PDF-1.7",
        b"",
    ],
)
def test_anything_else_is_no_picture_whatever_the_mail_declared(data: bytes) -> None:
    assert sniff(data) is None


def test_a_picture_cut_short_is_not_whole() -> None:
    whole = png()
    assert is_whole("image/png", whole)
    assert not is_whole("image/png", whole[:-20])
    assert is_whole("image/gif", GIF) and not is_whole("image/gif", GIF[:-1])
    assert not is_whole("image/jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 20)
    webp = b"RIFF\x16\x00\x00\x00WEBPVP8 " + b"\x00" * 14
    assert is_whole("image/webp", webp) and not is_whole("image/webp", webp[:-1])


@pytest.mark.parametrize(
    ("name", "kind", "safe"),
    [
        ("screenshot.png", "image/png", "screenshot.png"),
        ("../../etc/passwd", "image/png", "passwd.png"),
        ("C:\\Users\\jan\\Scherm afbeelding.JPEG", "image/jpeg", "Scherm afbeelding.jpg"),
        ('evil";.svg', "image/gif", "evil_.gif"),
        (None, "image/webp", "image.webp"),
        ("...", "image/png", "image.png"),
    ],
)
def test_file_names_lose_paths_and_odd_characters_and_get_the_real_ending(
    name: str | None, kind: str, safe: str
) -> None:
    assert safe_filename(name, kind) == safe
