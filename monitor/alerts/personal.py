"""Messages to one person about one thing: a colleague @mentioned them in a note, or webcare
handled what they forwarded.

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
from monitor.store.models import Forward, Mention, Note, User

NOTE_RULE = "note-mentions"
HANDLED_RULE = "forward-handled"


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


def handled_alert(settings: Settings, forward: Forward, target: str, now: datetime) -> NewAlert:
    """Thanks to the forwarder: webcare resolved what they sent."""
    mention = forward.mention
    label = CATEGORY_LABELS.get(mention.category, mention.category).lower()
    excerpt = clean(mention.title or mention.text, 300)
    link = f"{base_url(settings)}/forwards"
    body = "\n".join(
        [
            f"Thank you for forwarding this {label} about {mention.brand}.",
            "Webcare has handled it.",
            "",
            f"What you sent: {excerpt}",
            *([f"The original: {mention.url}"] if mention.url else []),
            f"Everything you forwarded: {link}",
        ]
    )
    return NewAlert(
        key=f"forward-handled:{forward.id}",
        event="forward_handled",
        rule=HANDLED_RULE,
        subject="Webcare handled what you forwarded",
        body=body,
        targets=(target,),
        not_before=now,
        link=link,
        mention_id=mention.id,
        data={"forward_id": forward.id, "mention_id": mention.id},
    )
