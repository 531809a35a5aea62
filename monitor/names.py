"""The product's fixed vocabulary: categories, teams, roles and statuses (the public contract)."""

from __future__ import annotations

from classifiers import CATEGORIES

TEAMS: tuple[str, ...] = ("webcare", "customer_service", "spokesperson")
TEAM_LABELS = {
    "webcare": "Webcare",
    "customer_service": "Customer service",
    "spokesperson": "Spokesperson",
}
ROLES: tuple[str, ...] = ("admin", "agent", "pr_officer", "reporter", "viewer")
# The roles that may change mentions and have them assigned (admins in any team, the others in
# their own teams).
WORK_ROLES = frozenset({"admin", "agent", "pr_officer"})
STATUSES: tuple[str, ...] = (
    "new",
    "assigned",
    "in_progress",
    "waiting",
    "resolved",
    "dismissed",
    "spam",
)
OPEN_STATUSES: tuple[str, ...] = ("new", "assigned", "in_progress", "waiting")
# The source that forwards by employees are stored under (page, bookmarklet, API); the name is
# reserved: no configured source may take it.
FORWARDS_SOURCE = "forwards"
FORWARD_CHANNELS: tuple[str, ...] = ("page", "bookmarklet", "api", "mail")
CATEGORY_LABELS = {
    "complaint": "Complaint",
    "question": "Question",
    "journalist_inquiry": "Journalist inquiry",
    "praise": "Praise",
    "other": "Other",
}

__all__ = [
    "CATEGORIES",
    "CATEGORY_LABELS",
    "FORWARDS_SOURCE",
    "FORWARD_CHANNELS",
    "OPEN_STATUSES",
    "ROLES",
    "STATUSES",
    "TEAMS",
    "TEAM_LABELS",
    "WORK_ROLES",
]
