"""The marks a mention carries in a queue row and on its own page: its priority and its label.

Python, not Jinja macros: a queue page draws them fifty times, and a macro call costs more
than the markup it makes.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from monitor.store.models import Mention
from webui.catalogue import gettext as _
from webui.labels import CATEGORY_LABELS, label

# The priority bands: the dots' colours and the queue's priority filter.
PRIORITIES = {"high": 75, "mid": 50}


# Built from escaped parts in f-strings: Markup's own % and format() escape as well, but cost
# more than the markup itself, and a queue page draws fifty of each. Every value put in is
# escape()d or an int.


def priority_dot(mention: Mention) -> Markup:
    """The priority as a number on its band's colour."""
    priority = int(mention.priority)
    high, mid = PRIORITIES["high"], PRIORITIES["mid"]
    band = "p-high" if priority >= high else "p-mid" if priority >= mid else "p-low"
    title = escape(_("Priority"))
    return Markup(f'<span class="prio {band}" title="{title} {priority}">{priority}</span>')  # noqa: S704


def category_badge(mention: Mention) -> Markup:
    """The category, the model's confidence, and whether a person should check the label."""
    category = escape(mention.category)
    name = escape(label(CATEGORY_LABELS, mention.category))
    low = " low" if mention.needs_review else ""
    title, percent = escape(_("Model confidence")), int(mention.confidence * 100)
    badge = (
        f'<span class="badge cat-{category}">{name}</span>\n'
        f'<span class="confidence{low}" title="{title}">{percent}%</span>'
    )
    if mention.needs_review:
        hint, word = (
            escape(_("Low confidence: a person should check the label")),
            escape(_("needs review")),
        )
        badge += f' <span class="badge review" title="{hint}">{word}</span>'
    return Markup(badge)  # noqa: S704
