"""The schema comes from Alembic migrations and matches the models, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from monitor.errors import DatabaseError
from monitor.store import migrate
from monitor.store.db import Database
from monitor.store.models import Base


def test_migrations_create_exactly_the_schema_the_models_describe(database_url: str) -> None:
    db = Database(database_url)
    migrate.upgrade(db)
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
    assert migrate.current_revision(db) == migrate.head_revision()


def test_upgrade_is_idempotent_and_downgrade_removes_everything(database_url: str) -> None:
    db = Database(database_url)
    migrate.upgrade(db)
    migrate.upgrade(db)
    config = migrate._config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert migrate.current_revision(db) is None
    migrate.upgrade(db)
    assert migrate.current_revision(db) == migrate.head_revision()


def test_a_database_without_schema_is_refused_with_advice(database_url: str) -> None:
    db = Database(database_url)
    with pytest.raises(DatabaseError, match="webcare init"):
        migrate.require_current(db)


def test_the_event_log_refuses_updates_and_deletes(database_url: str) -> None:
    db = Database(database_url)
    migrate.upgrade(db)
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO events (kind, actor, data, created_at) "
                "VALUES ('test', 'me', '{}', CURRENT_TIMESTAMP)"
            )
        )
    for statement in ("UPDATE events SET actor = 'someone else'", "DELETE FROM events"):
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
            connection.execute(text(statement))
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT actor FROM events")).scalar_one() == "me"


def test_an_unreachable_database_gives_one_clear_error() -> None:
    db = Database("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(DatabaseError, match="cannot reach the database at postgresql"):
        db.check_connection()


def test_upgrading_a_database_with_mentions_gives_them_sightings_and_url_keys(
    database_url: str,
) -> None:
    db = Database(database_url)
    migrate.upgrade(db, "0001")
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO sources (name, type, url, interval_seconds, state, options, "
                "next_check_at, consecutive_errors, total_errors, total_checks, items_collected, "
                "created_at) VALUES ('s', 'rss', 'https://e.org/f', 300, 'active', '{}', "
                "CURRENT_TIMESTAMP, 0, 0, 0, 0, CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(text(
            "INSERT INTO mentions (dedup_key, source_id, brand, url, title, text, author,"
            " published_at, collected_at, content_hash, matched, category, confidence,"
            " model_version, needs_review, team, status, priority, updated_at) VALUES"
            " ('k1', 1, 'B', 'https://www.e.org/a?utm_source=x', 't', 'x', 'me',"
            " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'h', '[]', 'other', 0.5, 'm', false,"
            " 'webcare', 'new', 10, CURRENT_TIMESTAMP)"))  # fmt: skip
    migrate.upgrade(db)
    from monitor.dedup import url_key

    with db.engine.connect() as connection:
        row = connection.execute(text("SELECT url_key, sightings_count FROM mentions")).one()
        assert tuple(row) == (url_key("https://e.org/a"), 1)
        sighting = connection.execute(text("SELECT kind, sighting_key FROM sightings")).one()
        assert tuple(sighting) == ("first", "k1")
