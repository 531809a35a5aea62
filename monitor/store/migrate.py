"""Create or upgrade the schema with Alembic, from code (no alembic.ini to find)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from monitor.errors import DatabaseError
from monitor.store.db import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(db: Database, revision: str = "head") -> None:
    db.check_connection()
    config = _config()
    with db.engine.connect() as connection:
        if db.is_sqlite:
            # SQLite changes a table by copying it and dropping the old one. With foreign keys
            # on, that drop deletes every row that cascades from the table (the sightings of
            # mentions, say). The pragma is ignored inside a transaction, so it is set first.
            _sqlite_pragma(connection, "PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                if db.is_sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise DatabaseError(
                            f"the upgrade to {revision} left rows that refer to missing rows, "
                            f"e.g. {tuple(broken[0])}; nothing was changed"
                        )
        finally:
            if db.is_sqlite:
                _sqlite_pragma(connection, "PRAGMA foreign_keys=ON")


def _sqlite_pragma(connection: Connection, pragma: str) -> None:
    cursor = connection.connection.cursor()  # the driver's own: no implicit BEGIN
    try:
        cursor.execute(pragma)
    finally:
        cursor.close()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(db: Database) -> str | None:
    try:
        with db.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except OperationalError as exc:
        raise DatabaseError(f"cannot reach the database at {db.display_url}: {exc.orig}") from None


def require_current(db: Database) -> None:
    """Refuse to work on a schema that is missing or older than this code."""
    current, head = current_revision(db), head_revision()
    if current is None:
        raise DatabaseError(
            f"the database at {db.display_url} has no schema yet: run `webcare init`"
        )
    if current != head:
        raise DatabaseError(
            f"the database at {db.display_url} is at schema {current}, this version needs {head}: "
            "run `webcare init` to upgrade it"
        )


def autogenerate(db: Database, message: str) -> None:
    """Developer helper: write a new migration from the difference between models and database."""
    config = _config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
