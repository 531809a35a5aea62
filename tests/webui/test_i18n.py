"""The UI speaks English and Dutch: every string people read is in the Dutch catalogue, the
compiled catalogue is the one that ships, and each person's choice (else their browser's)
decides the language."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

import webui
from tests.webui.conftest import csrf_token

WEBUI = Path(webui.__file__).parent
CATALOGUE = WEBUI / "translations" / "nl" / "LC_MESSAGES"
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _strings_in_the_code() -> dict[str, str]:
    """msgid -> where it is used, for every string the UI marks for translation."""
    found: dict[str, str] = {}
    for filename, line, message, _comments, _context in extract_from_dir(
        str(WEBUI), METHODS, keywords=KEYWORDS
    ):
        first = message[0] if isinstance(message, tuple) else message
        found.setdefault(first, f"{filename}:{line}")
    return found


def test_every_string_people_read_has_its_dutch_translation() -> None:
    with open(CATALOGUE / "messages.po", "rb") as handle:
        catalogue = read_po(handle, locale="nl")
    missing = []
    for msgid, where in _strings_in_the_code().items():
        message = catalogue.get(msgid)
        translated = message is not None and message.string and not message.fuzzy
        if isinstance(message.string if message else None, tuple):
            translated = all(message.string)  # type: ignore[union-attr]
        if not translated:
            missing.append(f"{where}: {msgid!r}")
    assert not missing, "not translated (run `make translations` and fill in Dutch):\n" + "\n".join(
        missing
    )


def test_the_compiled_catalogue_is_the_one_in_the_source() -> None:
    with open(CATALOGUE / "messages.po", "rb") as handle:
        source = read_po(handle, locale="nl")
    with open(CATALOGUE / "messages.mo", "rb") as handle:
        compiled = read_mo(handle)

    def plain(value: object) -> object:
        return tuple(value) if isinstance(value, list | tuple) else value

    expected = {plain(m.id): plain(m.string) for m in source if m.id and m.string and not m.fuzzy}
    shipped = {plain(m.id): plain(m.string) for m in compiled if m.id}
    assert shipped == expected, "run `make translations` to compile messages.mo again"


def test_a_dutch_browser_gets_the_login_page_in_dutch(login: Callable[[str], FlaskClient]) -> None:
    client = login("anne").application.test_client()
    page = client.get("/login", headers={"Accept-Language": "nl-NL,nl;q=0.9,en;q=0.5"})
    text = page.get_data(as_text=True)
    assert '<html lang="nl">' in text
    english = client.get("/login", headers={"Accept-Language": "en-GB"}).get_data(as_text=True)
    assert '<html lang="en">' in english
    assert text != english


def _choose(client: FlaskClient, language: str) -> str:
    token = csrf_token(client, "/account")
    saved = client.post("/account", data={"csrf_token": token, "language": language,
                                          "timezone": ""}, follow_redirects=True)  # fmt: skip
    assert saved.status_code == 200
    return saved.get_data(as_text=True)


def test_a_person_chooses_dutch_and_the_pages_follow_whatever_the_browser_says(
    login: Callable[[str], FlaskClient],
) -> None:
    anne = login("anne")
    saved = _choose(anne, "nl")
    assert '<html lang="nl">' in saved and "Opgeslagen." in saved
    queue = anne.get("/queue/webcare", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="nl">' in queue
    assert "Wachtrij" in queue or "Klantenservice" in queue
    assert "Customer service" not in queue
    back = _choose(anne, "en")
    assert '<html lang="en">' in back and "Saved." in back
    assert "Customer service" in anne.get("/queue/webcare").get_data(as_text=True)


def test_an_unknown_language_is_refused(login: Callable[[str], FlaskClient]) -> None:
    anne = login("anne")
    token = csrf_token(anne, "/account")
    refused = anne.post("/account", data={"csrf_token": token, "language": "fr"})
    assert refused.status_code == 400
