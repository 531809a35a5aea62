"""What every row of a queue says alike: its words, translated once per request.

A page of fifty rows would otherwise look up the same dozen strings fifty times. Words with a
%(name)s placeholder are filled in by the template's `format` filter; the page escapes the
result as it does any text.
"""

from __future__ import annotations

from webui.catalogue import translations
from webui.labels import N_

ROW_WORDS = {
    "select": N_("Select"),
    "unknown_author": N_("unknown author"),
    "sightings": N_("%(n)s sightings"),
    "seen_in": N_("Seen in %(n)s places: one story, handle it once"),
    "deadline": N_("deadline"),
    "deadline_from": N_("Deadline from the text: %(phrase)s"),
    "working_self": N_("you are working on this"),
    "working_other": N_("%(name)s is working on this"),
    "yours": N_("yours"),
    "first_due": N_("First response due %(when)s"),
    "resolution_due": N_("Resolution due %(when)s"),
    "warned": N_(" (75%% of the time used)"),
    "breached": N_("breached"),
}


def row_words() -> dict[str, str]:
    translate = translations().ugettext
    words = {}
    for key, msgid in ROW_WORDS.items():
        text = translate(msgid)
        words[key] = text if "%(" in msgid else text % {}  # "%%" is a percent sign
    return words
