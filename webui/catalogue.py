"""gettext for the strings a page shows many times (labels, times, the queue's rows).

Flask-Babel looks up the request's catalogue on every call; on a queue page of 50 rows that is
some 600 lookups, about a third of the page's time. Here it is looked up once per request and
kept on `g`. Python code that translates a string or two per request (flash messages) keeps
using Flask-Babel's own functions, which also honour `force_locale`.
"""

from __future__ import annotations

from typing import Any

from babel.support import NullTranslations
from flask import g
from flask_babel import get_translations


def translations() -> NullTranslations:
    try:
        return g._webcare_translations
    except AttributeError:
        g._webcare_translations = found = get_translations()
        return found
    except RuntimeError:  # no application context: Flask-Babel's default catalogue
        return get_translations()


def gettext(string: str, **variables: Any) -> str:
    text = translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables
