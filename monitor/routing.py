"""Which team gets a mention, whether a person must check its label, and why."""

from __future__ import annotations

from dataclasses import dataclass

from monitor.config import Settings


@dataclass(frozen=True)
class Route:
    team: str
    needs_review: bool
    reason: str


def route(
    category: str, confidence: float, settings: Settings, language: str | None = None
) -> Route:
    team, key = settings.routing.team_for(category, language)
    threshold = settings.classifier.review_threshold
    needs_review = confidence < threshold
    reason = f"category {category} goes to {team} ({key})"
    if needs_review:
        reason += (
            f"; confidence {confidence:.2f} is below {threshold:.2f}, so a person checks the label"
        )
    return Route(team, needs_review, reason)
