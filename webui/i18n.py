"""The UI's languages: English and Dutch, each person's choice, else their browser's.

Strings are marked with gettext (`_` in templates) and translated in
webui/translations/nl/LC_MESSAGES/messages.po; the compiled .mo beside it is committed, as the
app is installed without a build step. The README says how to refresh both. The JSON API, the
logs and the command line stay English: scripts and operators read those.
"""

from __future__ import annotations

from flask import Flask, request
from flask_babel import Babel
from flask_login import current_user

from webui import catalogue
from webui.catalogue import gettext
from webui.labels import STATUS_LABELS, label

LANGUAGES = {"en": "English", "nl": "Nederlands"}
DEFAULT = "en"


def select_locale() -> str:
    if current_user.is_authenticated:
        chosen = getattr(current_user, "language", None)
        if chosen in LANGUAGES:
            return str(chosen)
    return select_locale_for_browser()


def select_locale_for_browser() -> str:
    return request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT) or DEFAULT


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale, default_translation_directories="translations")
    # The templates' _() and ngettext(): the request's catalogue looked up once, not per string.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: catalogue.translations().ugettext(s),
        ngettext=lambda s, p, n: catalogue.translations().ungettext(s, p, n),
        newstyle=True,
    )

    @app.context_processor
    def _language() -> dict[str, object]:
        from flask_babel import get_locale

        locale = get_locale()
        return {
            "lang": locale.language if locale else DEFAULT,
            "languages": LANGUAGES,
            "ui_text": script_text(),
        }


def script_text() -> dict[str, object]:
    """The words app.js shows, in the page's language (read from a JSON block in the page)."""
    return {
        "statuses": {name: label(STATUS_LABELS, name) for name in STATUS_LABELS},
        "yours": gettext("yours"),
        "refused": gettext("refused"),
        "offline": gettext("not saved: no connection"),
        "copy": gettext("Copy"),
        "copied": gettext("Copied"),
        "copy_failed": gettext("Copy failed: select the text"),
        "press_ctrl_c": gettext("Press Ctrl+C"),
    }
