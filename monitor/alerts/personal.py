"""Messages to one person about one thing: a colleague @mentioned them in a note.

They go by mail through `[mail]` to people with an address, outside any rule and outside quiet
hours: a colleague asked for them by name. Without mail they are not raised at all; the note
itself is on the mention's page.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from monitor.alerts.compose import base_url, clean
from monitor.config import Settings
from monitor.names import CATEGORY_LABELS
from monitor.store.alerts import NewAlert
from monitor.store.models import Mention, Note, User

NOTE_RULE = "note-mentions"


def note_alerts(
    settings: Settings, note: Note, mention: Mention, people: Sequence[User], now: datetime
) -> list[NewAlert]:
    if not settings.mail.host:
        return []
    label = CATEGORY_LABELS.get(mention.category, mention.category).lower()
    link = f"{base_url(settings)}/mentions/{mention.id}"
    excerpt = clean(mention.title or mention.text, 300)
    body = "\n".join(
        [
            f"{note.author} wrote on a {label} about {mention.brand}:",
            "",
            clean(note.body),
            "",
            f"The mention: {excerpt}",
            f"In webcare: {link}",
        ]
    )
    return [
        NewAlert(
            key=f"note:{note.id}:{person.name}",
            event="note",
            rule=NOTE_RULE,
            subject=f"{note.author} mentioned you on a {label}",
            body=body,
            targets=(f"user:{person.name}",),
            not_before=now,
            link=link,
            mention_id=mention.id,
            data={"note_id": note.id, "mention_id": mention.id, "author": note.author},
        )
        for person in people
        if person.email
    ]
