"""A person relabels a mention (or confirms its label): the label becomes training data, and the
mention moves to the team that category is routed to."""

from __future__ import annotations

from sqlalchemy.orm import Session

from monitor.config import Settings
from monitor.errors import WebcareError
from monitor.names import CATEGORIES
from monitor.routing import route
from monitor.store.events import record_event
from monitor.store.models import Classification, Mention, User, utcnow
from monitor.store.training import add_example


def relabel(
    session: Session, mention_id: int, category: str, user: User | None, settings: Settings
) -> Mention:
    if category not in CATEGORIES:
        raise WebcareError(
            f"unknown category {category!r}; expected one of {', '.join(CATEGORIES)}"
        )
    mention = session.get(Mention, mention_id, with_for_update={"of": Mention})
    if mention is None:
        raise WebcareError(f"mention {mention_id} does not exist")
    actor = user.name if user else "system"
    add_example(
        session,
        mention_id=mention.id,
        text=f"{mention.title}\n{mention.text}".strip(),
        label=category,
        previous_label=mention.category,
        language=mention.language,
        user_id=user.id if user else None,
    )
    previous, previous_team = mention.category, mention.team
    mention.needs_review = False
    mention.updated_at = utcnow()
    if category == previous:
        record_event(
            session,
            "mention.label_confirmed",
            mention_id=mention.id,
            user_id=user.id if user else None,
            actor=actor,
            data={"category": category},
        )
        return mention
    decision = route(category, 1.0, settings, mention.language)
    mention.category, mention.confidence, mention.team = category, 1.0, decision.team
    session.add(
        Classification(
            mention_id=mention.id,
            category=category,
            confidence=1.0,
            scores={},
            model_version=None,
            user_id=user.id if user else None,
        )
    )
    record_event(
        session,
        "mention.relabelled",
        mention_id=mention.id,
        user_id=user.id if user else None,
        actor=actor,
        data={"from": previous, "to": category, "team_from": previous_team,
              "team_to": decision.team, "routing_reason": decision.reason},
    )  # fmt: skip
    return mention
