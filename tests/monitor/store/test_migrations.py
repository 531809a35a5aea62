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
