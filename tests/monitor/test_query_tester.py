"""A draft query is tried on what was collected before it goes live."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from monitor.classify import ModelProvider
from monitor.cli import main
from monitor.config import Settings
from monitor.errors import QueryError
from monitor.pipeline import Ingestor
from monitor.query_tester import precision, run_test, term_counts
from monitor.sources.base import Item
from monitor.store.db import Database
from monitor.store.models import Source


@pytest.fixture
def collected(db: Database, settings_for: Callable[..., Settings]) -> Settings:
    settings = settings_for([{"name": "social", "url": "https://social.example/feed"}])
    with db.read() as session:
        source_id = session.scalar(select(Source.id))
    assert source_id is not None
    Ingestor(settings, db, ModelProvider(db)).ingest(
        source_id=source_id,
        source_name="social",
        items=[
            Item("1", None, "", "Storing bij Stroomlijn in Emmen"),
            Item("2", None, "", "Stroomlijn Architecten ontwerpt een school"),
            Item("3", None, "", "Voltera verhoogt de prijzen"),
            Item("4", None, "", "Geen stroom in de hele wijk, Voltera zegt niets"),
        ],
    )
    return settings


def test_hits_are_counted_per_source_among_stored_and_unmatched_items(
    db: Database, collected: Settings
) -> None:
    with db.read() as session:
        result = run_test(session, "voltera OR stroomlijn", brand="Stroomlijn Energie")
    assert (result.mentions_searched, result.unmatched_searched) == (1, 3)
    assert len(result.hits) == 4 and result.new_hits == 3
    counts = result.per_source["social"]
    assert (counts.mention_hits, counts.mentions, counts.unmatched_hits, counts.unmatched) == (
        1, 1, 3, 3)  # fmt: skip
    assert term_counts(result) == {"voltera": 2, "stroomlijn": 2}
    with db.read() as session:
        narrower = run_test(session, "voltera", brand="Stroomlijn Energie")
    assert narrower.brand_mentions_missed == 1


def test_a_draft_that_does_not_parse_says_where(db: Database, collected: Settings) -> None:
    with db.read() as session, pytest.raises(QueryError, match="unclosed quote at column 9"):
        run_test(session, 'storing "stroomlijn')


def test_precision_comes_with_an_honest_interval() -> None:
    few = precision(4, 1)
    many = precision(80, 20)
    assert few.estimate == many.estimate == 0.8
    assert few.high - few.low > many.high - many.low
    assert 0 <= few.low < 0.8 < few.high <= 1
    assert precision(0, 0).describe() == "no hits judged yet"
    assert "precision 80% (4 of 5 judged hits right" in few.describe()


def test_the_command_prints_sources_terms_and_a_judged_precision(
    db: Database, collected: Settings, tmp_path: Path
) -> None:
    config = tmp_path / "webcare.toml"
    config.write_text(
        f'[database]\nurl = "{db.url}"\n[[brands]]\nname = "S"\nquery = "stroomlijn"\n'
    )
    result = CliRunner().invoke(
        main, ["--config", str(config), "query", "test", "voltera", "--judge"], input="y\nn\n"
    )
    assert result.exit_code == 0, result.output
    assert "2 hits, 2 of them not collected today" in result.output
    assert "terms that hit: voltera (2)" in result.output
    assert "precision 50% (1 of 2 judged hits right" in result.output
    bad = CliRunner().invoke(main, ["--config", str(config), "query", "test", "(voltera"])
    assert bad.exit_code == 2 and "missing ')'" in bad.stderr
