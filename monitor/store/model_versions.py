"""Model versions table: trained classifiers with their metrics; one of them is live."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from monitor.store.models import ModelVersion


def live_version(session: Session) -> ModelVersion | None:
    return session.scalar(select(ModelVersion).where(ModelVersion.is_live.is_(True)))


def live_version_name(session: Session) -> str | None:
    return session.scalar(select(ModelVersion.version).where(ModelVersion.is_live.is_(True)))


def add_version(
    session: Session,
    version: str,
    payload: bytes,
    metrics: dict[str, Any],
    *,
    make_live: bool,
    notes: str = "",
) -> ModelVersion:
    row = ModelVersion(
        version=version, payload=payload, metrics=metrics, notes=notes, is_live=False
    )
    session.add(row)
    session.flush()
    if make_live:
        promote(session, row.id)
    return row


def promote(session: Session, version_id: int) -> None:
    session.execute(
        update(ModelVersion).where(ModelVersion.is_live.is_(True)).values(is_live=False)
    )
    session.execute(update(ModelVersion).where(ModelVersion.id == version_id).values(is_live=True))


def list_versions(session: Session) -> list[ModelVersion]:
    return list(session.scalars(select(ModelVersion).order_by(ModelVersion.id.desc())))
