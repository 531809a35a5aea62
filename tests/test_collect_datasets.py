"""`webcare collect --once` over the real and hostile feed corpora in ../shared/datasets/feeds:
every readable entry is stored with its text decoded right, and no document crashes anything.

Each file is served over HTTP from 127.0.0.1 as its own source, with the response headers its
test header names (feedparser's tests set Content-Type that way), and collected by the real
command in a subprocess.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from monitor.errors import FetchError
from monitor.sources.feed import read_feed
from monitor.store.db import Database
from monitor.store.models import Mention, Sighting, Source
from monitor.text import clean_line, html_to_text
from tests.conftest import DATASETS, FeedServer

FEEDS = DATASETS / "feeds"
_HEADER = re.compile(rb"^Header:\s*([\w-]+):\s*(.+?)\s*$", re.MULTILINE)

pytestmark = pytest.mark.skipif(
    not FEEDS.is_dir(), reason=f"the feed corpora are not here ({FEEDS} is absent)"
)


def _documents() -> list[Path]:
    return sorted(p for p in FEEDS.rglob("*") if p.is_file() and not p.name.endswith(".serde.json"))


def _headers(body: bytes) -> dict[str, str]:
    found = {
        name.decode().title(): value.decode("latin-1") for name, value in _HEADER.findall(body)
    }
    found.setdefault("Content-Type", "application/xml")
    return found


def _source_name(path: Path) -> str:
    relative = path.relative_to(FEEDS).as_posix()
    return re.sub(r"[^A-Za-z0-9._-]", "-", relative)[-100:].lstrip("._-")


@pytest.fixture(scope="module")
def collected(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, str, dict[str, Any]]]:
    tmp = tmp_path_factory.mktemp("datasets")
    server = FeedServer()
    sources: dict[str, tuple[Path, str, str]] = {}
    for path in _documents():
        body = path.read_bytes()
        headers = _headers(body)
        content_type = headers.pop("Content-Type")
        route = "/" + path.relative_to(FEEDS).as_posix()
        url = server.serve(route, body, content_type=content_type)
        server.routes[route].headers.update(headers)
        sources[_source_name(path)] = (path, url, content_type)
    assert len(sources) == len(_documents())  # names are unique
    db_url = f"sqlite:///{tmp / 'webcare.db'}"
    lines = [
        f'[database]\nurl = "{db_url}"\n',
        f'[paths]\ninstance = "{tmp / "instance"}"\n',
        "[fetch]\nallow_private_addresses = true\nconcurrency = 8\nper_host = 8\n",
        '[classifier]\nretrain_every = "off"\n',
        '[[brands]]\nname = "Everything"\nquery = "*"\n',
    ]
    for name, (_, url, _) in sources.items():
        lines.append(f'[[sources]]\nname = "{name}"\nurl = "{url}"\n')
    config = tmp / "webcare.toml"
    config.write_text("\n".join(lines))
    env = {**os.environ, "WEBCARE_CONFIG": str(config)}
    env.pop("WEBCARE_DATABASE_URL", None)
    command = [sys.executable, "-m", "monitor.cli"]
    try:
        subprocess.run([*command, "init"], env=env, check=True, capture_output=True, timeout=600)
        run = subprocess.run(
            [*command, "collect", "--once"], env=env, capture_output=True, text=True, timeout=900
        )
    finally:
        server.stop()
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Traceback" not in run.stderr, run.stderr[-4000:]
    summary = {line.split(": ", 1)[0]: line for line in run.stdout.splitlines() if ": " in line}
    yield tmp / "webcare.db", db_url, {"sources": sources, "summary": summary}


def test_every_document_gets_one_summary_line_and_nothing_crashes(
    collected: tuple[Path, str, dict[str, Any]],
) -> None:
    _, _, found = collected
    assert set(found["summary"]) == set(found["sources"])
    assert not [line for line in found["summary"].values() if "internal error" in line]


def test_every_entry_feedparser_can_read_is_stored_and_only_non_feeds_fail(
    collected: tuple[Path, str, dict[str, Any]],
) -> None:
    _, db_url, found = collected
    db = Database(db_url)
    with db.read() as session:
        ids = {s.name: s.id for s in session.scalars(select(Source))}
        seen: dict[int, set[str]] = defaultdict(set)
        for source_id, title in session.execute(select(Sighting.source_id, Sighting.title)):
            seen[source_id].add(title)
    db.engine.dispose()
    problems = []
    for name, (path, url, content_type) in found["sources"].items():
        line = found["summary"][name]
        try:
            items = read_feed(path.read_bytes(), url, content_type).items
        except FetchError:
            if "FAILED" not in line:
                problems.append(f"{name}: not a feed, yet: {line}")
            continue
        if f": ok, {len(items)} items, {len(items)} matched" not in line and not (
            not items and "ok" in line
        ):
            problems.append(f"{name}: expected {len(items)} items, got: {line}")
            continue
        missing = {item.title for item in items} - seen[ids[name]]
        if missing:
            problems.append(f"{name}: not stored: {sorted(missing)[:3]}")
    assert not problems, "\n".join(problems[:20])


def test_text_is_decoded_as_the_reference_parser_expects(
    collected: tuple[Path, str, dict[str, Any]],
) -> None:
    """feed-rs publishes its own parse of each real feed: our stored titles must agree."""
    _, db_url, _ = collected
    db = Database(db_url)
    with db.read() as session:
        stored = set(session.scalars(select(Sighting.title))) | set(
            session.scalars(select(Mention.title))
        )
    db.engine.dispose()
    compared = 0
    wrong = []
    for expected in (FEEDS / "feed-rs").rglob("*.serde.json"):
        for entry in json.loads(expected.read_text()).get("entries", []):
            raw = (entry.get("title") or {}).get("content") or ""
            title = clean_line(html_to_text(raw, 2000), 500)
            if not title:
                continue
            compared += 1
            if title not in stored:
                wrong.append(f"{expected.name}: {title!r}")
    assert compared > 50
    assert not wrong, "\n".join(wrong[:20])


def test_non_ascii_text_from_legacy_encodings_arrives_intact(
    collected: tuple[Path, str, dict[str, Any]],
) -> None:
    _, db_url, _ = collected
    db = Database(db_url)
    with db.read() as session:
        texts = [t + " " + x for t, x in session.execute(select(Mention.title, Mention.text))]
    db.engine.dispose()
    assert texts
    # Mojibake of UTF-8 read as Latin-1 shows as "Ã" followed by another high character.
    mojibake = [t for t in texts if re.search("Ã[\u0080-\u00bf]", t)]
    assert not mojibake, mojibake[:5]
