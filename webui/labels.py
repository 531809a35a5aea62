"""What people read for the product's fixed names: categories, queues, statuses, roles and ways
in. The names themselves stay as they are in URLs, forms and the API; only these labels are
translated, in the language of the request that shows them."""

from __future__ import annotations

from webui.catalogue import gettext


def N_(msgid: str) -> str:
    """Marks a label for the catalogue (`make translations` looks for N_); label() translates
    it when it is shown."""
    return msgid


CATEGORY_LABELS = {
    "complaint": N_("Complaint"),
    "question": N_("Question"),
    "journalist_inquiry": N_("Journalist inquiry"),
    "praise": N_("Praise"),
    "other": N_("Other"),
}
LANE_LABELS = {
    "webcare": N_("Webcare"),
    "customer_service": N_("Customer service"),
    "spokesperson": N_("Spokesperson"),
    "review": N_("Needs review"),
    "mine": N_("Mine"),
}
STATUS_LABELS = {
    "new": N_("new"),
    "assigned": N_("assigned"),
    "in_progress": N_("in progress"),
    "waiting": N_("waiting"),
    "resolved": N_("resolved"),
    "dismissed": N_("dismissed"),
    "spam": N_("spam"),
}
ROLE_LABELS = {
    "admin": N_("admin"),
    "agent": N_("agent"),
    "pr_officer": N_("PR officer"),
    "reporter": N_("reporter"),
    "viewer": N_("viewer"),
}
CHANNEL_LABELS = {
    "page": N_("the forward page"),
    "bookmarklet": N_("the bookmarklet"),
    "api": N_("the API"),
    "mail": N_("mail"),
}


# Why a mention was closed, as its history shows it.
REASON_LABELS = {"irrelevant": N_("irrelevant"), "spam": N_("spam")}
SOURCE_STATE_LABELS = {
    "active": N_("active"),
    "paused": N_("paused"),
    "disabled": N_("disabled"),
    "removed": N_("removed"),
    "internal": N_("built in"),
}


def label(labels: dict[str, str], name: object) -> str:
    """The label for a name in the page's language, or the name made readable when it has
    none."""
    found = labels.get(str(name))
    return gettext(found) if found is not None else str(name).replace("_", " ")
