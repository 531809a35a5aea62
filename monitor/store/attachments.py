"""Pictures stored with mentions (screenshots in forwarded mails)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from monitor.sources.base import Image
from monitor.store.bulk import insert_ignoring_conflicts
from monitor.store.models import Attachment


def add_attachments(session: Session, images: Iterable[tuple[int, Image]], now: datetime) -> int:
    """Store (mention id, image) pairs; a picture a mention has already is skipped, also when
    another worker stores it at the same moment. Returns how many were new."""
    rows = [
        {
            "mention_id": mention_id,
            "filename": image.filename,
            "content_type": image.content_type,
            "size": len(image.data),
            "sha256": hashlib.sha256(image.data).hexdigest(),
            "data": image.data,
            "created_at": now,
        }
        for mention_id, image in images
    ]
    if not rows:
        return 0
    written = insert_ignoring_conflicts(
        session, Attachment, rows, conflict=["mention_id", "sha256"], returning=["id"]
    )
    return len(written)


def attachments_of(session: Session, mention_id: int) -> list[Attachment]:
    """A mention's pictures without their bytes, in the order they came."""
    return list(
        session.scalars(
            select(Attachment).where(Attachment.mention_id == mention_id).order_by(Attachment.id)
        )
    )


def attachment(session: Session, mention_id: int, attachment_id: int) -> Attachment | None:
    """One picture with its bytes, only when it belongs to that mention."""
    return session.scalar(
        select(Attachment)
        .options(undefer(Attachment.data))
        .where(Attachment.id == attachment_id, Attachment.mention_id == mention_id)
    )
