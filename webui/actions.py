"""The checks every change to a mention goes through, for pages and API alike."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import abort
from sqlalchemy.orm import Session

from monitor.errors import WebcareError
from monitor.store.mentions import get_mention
from monitor.store.models import Mention, User
from webui.auth import user


@contextmanager
def workable_mention(session: Session, mention_id: int) -> Iterator[tuple[Mention, User | None]]:
    """The mention and the acting user, if the mention exists and the user may change it;
    a user error inside the block becomes a 400 with its message."""
    mention = get_mention(session, mention_id)
    if mention is None:
        abort(404, f"Mention {mention_id} does not exist.")
    if not user().can_work(mention.team):
        abort(403, f"Only members of the {mention.team} team can change this mention.")
    try:
        yield mention, session.get(User, user().id)
    except WebcareError as exc:
        abort(400, str(exc))
