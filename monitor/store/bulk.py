"""Bulk inserts that skip rows whose unique key already exists, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Result
from sqlalchemy.orm import Session

from monitor.errors import WebcareError


def insert_ignoring_conflicts(
    session: Session,
    model: Any,
    rows: Sequence[dict[str, Any]],
    *,
    conflict: Sequence[str],
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """INSERT … ON CONFLICT DO NOTHING; returns the `returning` columns of the rows written.

    The unique constraint decides, not an earlier lookup, so concurrent writers of the same rows
    both succeed and each row is written once. A Core executemany lets SQLAlchemy batch the rows
    into multi-row INSERTs and cache the compiled statement.
    """
    if not rows:
        return []
    table = cast(Table, model.__table__)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql.insert(table)
    elif dialect == "sqlite":
        statement = sqlite.insert(table)
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise WebcareError(f"unsupported database dialect {dialect}")
    statement = statement.on_conflict_do_nothing(index_elements=list(conflict))
    if returning:
        statement = statement.returning(*(table.c[name] for name in returning))
    result: Result[Any] = session.connection().execute(statement, list(rows))
    return [tuple(row) for row in result] if returning else []
