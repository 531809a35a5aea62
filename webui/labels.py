"""What people read for the product's fixed names: categories, queues, statuses, roles and ways
in. The names themselves stay as they are in URLs, forms and the API; only these labels are
translated (lazily, in the language of the request that shows them)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CATEGORY_LABELS = {
    "complaint": _l("Complaint"),
    "question": _l("Question"),
    "journalist_inquiry": _l("Journalist inquiry"),
    "praise": _l("Praise"),
    "other": _l("Other"),
}
LANE_LABELS = {
    "webcare": _l("Webcare"),
    "customer_service": _l("Customer service"),
    "spokesperson": _l("Spokesperson"),
    "review": _l("Needs review"),
    "mine": _l("Mine"),
}
STATUS_LABELS = {
    "new": _l("new"),
    "assigned": _l("assigned"),
    "in_progress": _l("in progress"),
    "waiting": _l("waiting"),
    "resolved": _l("resolved"),
    "dismissed": _l("dismissed"),
    "spam": _l("spam"),
}
ROLE_LABELS = {
    "admin": _l("admin"),
    "agent": _l("agent"),
    "pr_officer": _l("PR officer"),
    "reporter": _l("reporter"),
    "viewer": _l("viewer"),
}
CHANNEL_LABELS = {
    "page": _l("the forward page"),
    "bookmarklet": _l("the bookmarklet"),
    "api": _l("the API"),
    "mail": _l("mail"),
}


# Why a mention was closed, as its history shows it.
REASON_LABELS = {"irrelevant": _l("irrelevant"), "spam": _l("spam")}
SOURCE_STATE_LABELS = {
    "active": _l("active"),
    "paused": _l("paused"),
    "disabled": _l("disabled"),
    "removed": _l("removed"),
    "internal": _l("built in"),
}


def label(labels: dict[str, object], name: object) -> str:
    """The label for a name, or the name made readable when it has none."""
    found = labels.get(str(name))
    return str(found) if found is not None else str(name).replace("_", " ")
