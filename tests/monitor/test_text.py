"""Feed markup becomes bounded plain text: no tags, no scripts, no control characters."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.text import MAX_TEXT, clean_line, html_to_text, truncate


def test_tags_are_stripped_and_their_text_kept() -> None:
    assert html_to_text('<p>Storing bij <b>Stroomlijn</b>, <a href="/x">lees meer</a></p>') == (
        "Storing bij Stroomlijn, lees meer"
    )


@pytest.mark.parametrize(
    "markup",
    [
        "Hallo<script>alert('pwned')</script> wereld",
        "Hallo<SCRIPT type='text/javascript'>document.cookie</SCRIPT> wereld",
        "Hallo<style>body { display: none }</style> wereld",
        "Hallo<!-- verborgen commentaar --> wereld",
    ],
)
def test_scripts_styles_and_comments_are_removed_with_their_content(markup: str) -> None:
    assert html_to_text(markup) == "Hallo wereld"


def test_event_handler_attributes_leave_nothing_behind() -> None:
    assert html_to_text('<img src=x onerror="alert(1)">Tekst') == "Tekst"


def test_entities_are_unescaped() -> None:
    assert html_to_text("Caf&eacute; &amp; bar &#233; &#x1F600; &quot;ok&quot;") == (
        'Café & bar é 😀 "ok"'
    )


def test_escaped_markup_stays_visible_as_text() -> None:
    assert html_to_text("Gebruik &lt;b&gt; voor vet") == "Gebruik <b> voor vet"
    assert html_to_text("&lt;script&gt;alert(1)&lt;/script&gt;") == "<script>alert(1)</script>"


def test_a_bare_less_than_sign_is_kept_as_text() -> None:
    assert html_to_text("prijs < 10 euro en > 5 euro") == "prijs < 10 euro en > 5 euro"
    assert html_to_text("a &lt; b") == "a < b"


def test_paragraphs_and_line_breaks_become_newlines() -> None:
    assert html_to_text("<p>een</p><p>twee</p>drie<br>vier<br/>vijf") == (
        "een\ntwee\ndrie\nvier\nvijf"
    )
    assert html_to_text("<ul><li>een</li><li>twee</li></ul><h2>drie</h2>vier") == (
        "een\ntwee\ndrie\nvier"
    )


def test_whitespace_is_tidied() -> None:
    markup = "  een \t\t twee\u00a0\u00a0drie  \r\n\n\n\n   vier   \n  "
    assert html_to_text(markup) == "een twee drie\n\nvier"


def test_control_characters_are_removed() -> None:
    assert html_to_text("a\x00b\x07c\x08d\x1be\x7ff") == "abcdef"


def test_control_characters_written_as_entities_are_removed() -> None:
    # A NUL reference becomes the visible replacement character, as HTML5 prescribes.
    assert html_to_text("a&#0;b&#7;c&#x1b;d") == "a\ufffdbcd"
    assert html_to_text("&#7;") == ""


def test_tabs_and_newlines_are_not_control_characters_to_remove() -> None:
    assert html_to_text("een\ttwee\ndrie") == "een twee\ndrie"


@pytest.mark.parametrize("empty", [None, "", "<p></p>", "<script>x</script>", "   \n  "])
def test_nothing_readable_gives_an_empty_string(empty: str | None) -> None:
    assert html_to_text(empty) == ""


def test_long_text_is_cut_to_the_limit_with_an_ellipsis() -> None:
    text = html_to_text("woord " * 10_000)
    assert len(text) <= MAX_TEXT
    assert text.endswith("…")
    assert text.startswith("woord woord")


def test_a_custom_limit_is_respected() -> None:
    text = html_to_text("<p>" + "x" * 1_000 + "</p>", limit=50)
    assert len(text) == 50
    assert text == "x" * 49 + "…"


def test_a_huge_field_is_bounded_quickly() -> None:
    markup = "<div>" + "<b>veel</b> tekst " * 200_000 + "</div>"
    text = html_to_text(markup, limit=100)
    assert len(text) <= 100


def test_text_within_the_limit_is_untouched() -> None:
    assert html_to_text("kort", limit=4) == "kort"


def test_truncate_prefers_to_cut_between_words() -> None:
    assert truncate("aaaa bbbb cccc dddd eeee", 22) == "aaaa bbbb cccc dddd…"


def test_truncate_cuts_inside_a_word_rather_than_lose_much_text() -> None:
    assert truncate("a " + "b" * 30, 20) == "a " + "b" * 17 + "…"


def test_truncate_leaves_short_text_alone() -> None:
    assert truncate("kort", 10) == "kort"


def test_clean_line_gives_one_line() -> None:
    assert (
        clean_line("<h1>Storing</h1>\n\n<p>bij   Stroomlijn</p>", 100) == "Storing bij Stroomlijn"
    )


def test_clean_line_is_bounded() -> None:
    line = clean_line("titel " * 500, 80)
    assert len(line) <= 80
    assert "\n" not in line


def test_clean_line_of_nothing_is_empty() -> None:
    assert clean_line(None, 10) == ""


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=5),
            st.sampled_from(["<script>", "</script>", "<p>", "<br>", "&amp;", "&lt;", "&#0;", "<"]),
        ),
        max_size=60,
    ).map("".join),
    st.integers(min_value=1, max_value=200),
)
def test_any_markup_gives_bounded_text_without_control_characters(markup: str, limit: int) -> None:
    text = html_to_text(markup, limit)
    assert len(text) <= limit
    assert not any(ord(c) < 32 and c != "\n" for c in text)
    assert "\x7f" not in text
    assert text == text.strip()


def test_c1_controls_go_and_unicode_line_separators_become_newlines() -> None:
    from monitor.text import plain_text

    assert plain_text("a\x85b\x9fc") == "abc"
    assert plain_text("one\u2028two") == "one\ntwo"


def test_a_paragraph_opened_right_after_text_starts_a_new_line() -> None:
    assert html_to_text("Storing gemeld.<p>Nog steeds niets gehoord.") == (
        "Storing gemeld.\nNog steeds niets gehoord."
    )
