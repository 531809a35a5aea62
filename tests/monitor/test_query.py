"""The brand query language: what a query matches, where it matched, and how it explains a typo."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.errors import QueryError
from monitor.query import (
    MAX_DEPTH,
    MAX_QUERY_LENGTH,
    And,
    Document,
    Hit,
    MatchAll,
    Node,
    Not,
    Or,
    Query,
    Term,
    fold,
    parse_query,
)

BRAND_QUERY = 'stroomlijn OR "stroomlijn energie" NOT "stroomlijn architecten"'


def matches(query: str, text: str, title: str = "") -> bool:
    return Query.compile(query).match(Document({"title": title, "text": text})) is not None


def hits(query: str, **fields: str) -> list[Hit]:
    found = Query.compile(query).match(Document(fields))
    assert found is not None, f"{query!r} was expected to match {fields!r}"
    return found


def error(query: str) -> QueryError:
    with pytest.raises(QueryError) as caught:
        parse_query(query)
    return caught.value


# --- terms and phrases ------------------------------------------------------------------------


def test_a_single_term_matches_a_text_containing_that_word() -> None:
    assert matches("stroomlijn", "Overgestapt naar stroomlijn vandaag")
    assert not matches("stroomlijn", "Overgestapt naar een andere leverancier")


def test_a_term_matches_in_any_field() -> None:
    assert matches("stroomlijn", "geen merknaam hier", title="Stroomlijn storing")


def test_a_term_matches_whole_words_only() -> None:
    assert not matches("stroomlijn", "we moeten het proces stroomlijnen")
    assert not matches("stroom", "stroomlijn energie")


def test_a_term_matches_a_word_joined_by_punctuation() -> None:
    assert matches("stroomlijn", "De Stroomlijn-app crasht weer")
    assert matches("stroomlijn", "@stroomlijn, waarom?")
    assert matches("stroomlijn", "#stroomlijn")


def test_matching_ignores_case() -> None:
    assert matches("STROOMLIJN", "stroomlijn")
    assert matches("stroomlijn", "STROOMLIJN")


def test_matching_ignores_accents_on_either_side() -> None:
    assert matches("cafe", "Lekker koffie bij Café Zuid")
    assert matches("Café", "CAFE ZUID")
    assert matches("enquête", "een korte enquete")


def test_fold_lowercases_and_strips_accents() -> None:
    assert fold("Café ÉNERGIE Ångström") == "cafe energie angstrom"


def test_a_phrase_matches_its_words_in_order_and_adjacent() -> None:
    assert matches('"stroomlijn energie"', "klant van Stroomlijn Energie sinds 2020")
    assert not matches('"stroomlijn energie"', "energie van stroomlijn")
    assert not matches('"stroomlijn energie"', "stroomlijn groene energie")


def test_a_phrase_ignores_the_punctuation_and_spacing_between_its_words() -> None:
    assert matches('"stroomlijn energie"', "Stroomlijn-Energie")
    assert matches('"stroomlijn energie"', "stroomlijn,\n   energie")


def test_a_phrase_does_not_match_when_the_text_ends_after_its_first_word() -> None:
    assert not matches('"stroomlijn energie"', "ik zit bij stroomlijn")


def test_a_phrase_matches_at_the_very_end_of_the_text() -> None:
    assert matches('"stroomlijn energie"', "klant bij stroomlijn energie")


def test_an_unquoted_hyphenated_term_behaves_like_a_phrase() -> None:
    assert matches("stroomlijn-energie", "Stroomlijn Energie")
    assert not matches("stroomlijn-energie", "energie stroomlijn")


def test_lower_case_and_or_not_are_ordinary_words() -> None:
    assert not matches("acme or bank", "acme")
    assert matches("acme or bank", "acme or bank")
    assert matches("acme not bank", "acme not bank")


# --- operators --------------------------------------------------------------------------------


def test_and_requires_both_terms() -> None:
    assert matches("acme AND bank", "the bank of acme")
    assert not matches("acme AND bank", "acme only")
    assert not matches("acme AND bank", "bank only")


def test_juxtaposed_terms_are_joined_by_and() -> None:
    assert parse_query("acme bank") == And((Term(("acme",), "acme", 0), Term(("bank",), "bank", 5)))
    assert matches("acme bank", "the bank of acme")
    assert not matches("acme bank", "acme only")


def test_or_requires_either_term() -> None:
    assert matches("acme OR bank", "acme only")
    assert matches("acme OR bank", "bank only")
    assert not matches("acme OR bank", "neither")


def test_and_binds_tighter_than_or() -> None:
    assert parse_query("a b OR c") == Or(
        (And((Term(("a",), "a", 0), Term(("b",), "b", 2))), Term(("c",), "c", 7))
    )
    assert matches("acme bank OR stroomlijn", "stroomlijn")
    assert not matches("acme bank OR stroomlijn", "acme")


def test_not_excludes_everything_before_it() -> None:
    assert parse_query('acme OR "acme bank" NOT "acme corp"') == And(
        (
            Or((Term(("acme",), "acme", 0), Term(("acme", "bank"), "acme bank", 8))),
            Not(Term(("acme", "corp"), "acme corp", 24)),
        )
    )
    query = 'acme OR "acme bank" NOT "acme corp"'
    assert matches(query, "acme is great")
    assert matches(query, "my acme bank account")
    assert not matches(query, "acme corp announces results")
    assert not matches(query, "acme bank, a subsidiary of Acme Corp")


def test_not_excludes_everything_after_it_up_to_the_next_not() -> None:
    assert not matches("acme NOT corp OR ltd", "acme ltd")
    assert not matches("acme NOT corp OR ltd", "acme corp")
    assert matches("acme NOT corp OR ltd", "acme bv")


def test_several_nots_each_exclude() -> None:
    query = "acme NOT corp NOT ltd"
    assert matches(query, "acme bv")
    assert not matches(query, "acme corp")
    assert not matches(query, "acme ltd")


def test_the_shipped_brand_query_keeps_the_energy_supplier_and_drops_the_architects() -> None:
    assert matches(BRAND_QUERY, "Storing bij Stroomlijn vanavond")
    assert matches(BRAND_QUERY, "Stroomlijn Energie verhoogt tarieven")
    assert not matches(BRAND_QUERY, "Stroomlijn Architecten wint prijs")
    assert not matches(BRAND_QUERY, "Wij stroomlijnen onze processen")


def test_a_minus_excludes_the_term_it_precedes() -> None:
    assert matches("acme -corp", "acme bank")
    assert not matches("acme -corp", "acme corp")


def test_a_minus_can_exclude_a_phrase_or_a_group() -> None:
    assert not matches('acme -"acme corp"', "news on acme corp")
    assert matches('acme -"acme corp"', "acme and corp are different")
    assert not matches("acme -(corp OR ltd)", "acme ltd")
    assert matches("acme -(corp OR ltd)", "acme bv")


def test_a_minus_alone_matches_texts_without_the_term() -> None:
    assert matches("-corp", "acme bank")
    assert not matches("-corp", "acme corp")


def test_a_hyphen_inside_a_word_is_not_a_minus() -> None:
    assert parse_query("e-mail") == Term(("e", "mail"), "e-mail", 0)


def test_a_double_minus_cancels_out() -> None:
    assert matches("acme --corp", "acme corp")
    assert not matches("acme --corp", "acme bank")


def test_not_at_the_start_excludes_the_term() -> None:
    assert parse_query("NOT corp") == Not(Term(("corp",), "corp", 4))
    assert matches("NOT corp", "acme")
    assert not matches("NOT corp", "corp")


def test_and_not_excludes_only_the_next_term() -> None:
    query = "acme AND NOT corp OR bank"
    assert parse_query(query) == Or(
        (
            And((Term(("acme",), "acme", 0), Not(Term(("corp",), "corp", 13)))),
            Term(("bank",), "bank", 21),
        )
    )
    assert matches(query, "bank and corp")
    assert not matches(query, "acme corp")


def test_parentheses_group_alternatives() -> None:
    query = "(acme OR stroomlijn) storing"
    assert matches(query, "storing bij acme")
    assert matches(query, "stroomlijn storing")
    assert not matches(query, "acme is fijn")


def test_parentheses_limit_the_reach_of_not() -> None:
    query = "(acme NOT corp) OR bank"
    assert matches(query, "acme corp bank")
    assert not matches(query, "acme corp")


def test_redundant_parentheses_leave_just_the_term() -> None:
    assert parse_query("((acme))") == Term(("acme",), "acme", 2)


def test_a_star_matches_every_document() -> None:
    assert parse_query("*") == MatchAll(0)
    assert matches("*", "")
    assert matches("*", "anything at all")


def test_a_star_with_not_matches_everything_but_the_excluded() -> None:
    assert matches("* NOT spam", "a real mention")
    assert not matches("* NOT spam", "buy spam now")


def test_a_star_match_has_no_hits_but_is_not_a_miss() -> None:
    assert Query.compile("*").match(Document({"text": "x"})) == []


def test_compiling_the_same_query_twice_reuses_it() -> None:
    assert Query.compile(BRAND_QUERY) is Query.compile(BRAND_QUERY)


def test_compile_raises_query_error_for_a_bad_query() -> None:
    with pytest.raises(QueryError):
        Query.compile("acme OR")


def test_a_document_with_a_missing_field_value_still_matches_the_others() -> None:
    doc = Document({"title": None, "text": "acme"})  # type: ignore[dict-item]
    assert Query.compile("acme").match(doc) is not None


# --- hits: why it matched -----------------------------------------------------------------------


def test_a_hit_names_the_field_and_the_offsets_of_the_matched_word() -> None:
    text = "Weer een storing bij Stroomlijn vandaag"
    [hit] = hits("stroomlijn", title="", text=text)
    assert hit == Hit("stroomlijn", "text", 21, 31)
    assert text[hit.start : hit.end] == "Stroomlijn"


def test_a_phrase_hit_spans_the_whole_phrase_as_written() -> None:
    text = "Klant van STROOMLIJN-énergie sinds 2020"
    [hit] = hits('"stroomlijn energie"', text=text)
    assert text[hit.start : hit.end] == "STROOMLIJN-énergie"
    assert hit.term == "stroomlijn energie"


def test_every_occurrence_in_every_field_is_a_hit() -> None:
    fields = {"title": "Acme down", "text": "acme again, and ACME once more"}
    found = hits("acme", **fields)
    assert sorted((h.field, fields[h.field][h.start : h.end]) for h in found) == [
        ("text", "ACME"),
        ("text", "acme"),
        ("title", "Acme"),
    ]


def test_or_reports_every_alternative_that_hit() -> None:
    found = hits("acme OR bank OR ltd", text="acme bank")
    assert {h.term for h in found} == {"acme", "bank"}


def test_excluded_terms_are_never_reported_as_hits() -> None:
    found = hits("acme -corp NOT ltd", text="acme bv")
    assert {h.term for h in found} == {"acme"}


def test_a_failed_and_branch_contributes_no_hits() -> None:
    found = hits("(acme bank) OR stroomlijn", text="acme and stroomlijn")
    assert {h.term for h in found} == {"stroomlijn"}


def test_hit_offsets_point_into_the_original_text_even_with_accents_before_it() -> None:
    text = "Één klacht over Stroomlijn"
    [hit] = hits("stroomlijn", text=text)
    assert text[hit.start : hit.end] == "Stroomlijn"


def test_a_query_that_does_not_match_returns_none() -> None:
    assert Query.compile("acme").match(Document({"text": "nothing here"})) is None


# --- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message", "column"),
    [
        ('acme "bank', "unclosed quote", 6),
        ("", "the query is empty", 1),
        ("   ", "the query is empty", 1),
        ("acme OR", "OR needs a term on both sides", 6),
        ("OR acme", "OR needs a term on both sides", 1),
        ("a OR OR b", "OR needs a term on both sides", 3),
        ("acme AND", "AND needs a term on both sides", 6),
        ("AND acme", "AND needs a term on both sides", 1),
        ("acme OR AND b", "OR needs a term on both sides", 6),
        ("NOT", "NOT needs a term after it", 1),
        ("acme NOT", "NOT needs a term after it", 6),
        ("acme AND NOT", "NOT needs a term after it", 10),
        ("a NOT NOT b", "NOT needs a term after it", 3),
        ("(NOT)", "NOT needs a term after it", 2),
        ("(acme", "missing ')' for the '(' opened", 1),
        ("acme NOT (corp", "missing ')' for the '(' opened", 10),
        ("(((a))", "missing ')' for the '(' opened", 1),
        ("acme)", "unexpected ')' without a matching '('", 5),
        ("()", "empty parentheses", 1),
        ("acme ( )", "empty parentheses", 6),
        ("acme -", "the term '-' has no letters or digits", 6),
        ('""', "the phrase '' has no letters or digits", 1),
        ("!!!", "the term '!!!' has no letters or digits", 1),
    ],
)
def test_a_bad_query_is_explained_with_the_column_of_the_problem(
    query: str, message: str, column: int
) -> None:
    exc = error(query)
    assert str(exc) == f"{message} at column {column}"
    assert exc.position == column - 1


def test_nesting_up_to_the_limit_is_accepted() -> None:
    deep = "(" * MAX_DEPTH + "acme" + ")" * MAX_DEPTH
    assert parse_query(deep) == Term(("acme",), "acme", MAX_DEPTH)


def test_parentheses_nested_too_deep_are_refused() -> None:
    exc = error("(" * (MAX_DEPTH + 1) + "acme" + ")" * (MAX_DEPTH + 1))
    assert str(exc) == f"nested more than {MAX_DEPTH} levels deep at column {MAX_DEPTH + 1}"


def test_negations_nested_too_deep_are_refused() -> None:
    assert "nested more than" in str(error("-" * (MAX_DEPTH + 1) + "acme"))
    assert "nested more than" in str(error("NOT " * (MAX_DEPTH + 1) + "acme"))


def test_thousands_of_opening_parentheses_are_refused_without_a_crash() -> None:
    assert "nested more than" in str(error("(" * (MAX_QUERY_LENGTH - 1)))


def test_a_query_at_the_length_limit_is_accepted() -> None:
    query = "acme" + " " * (MAX_QUERY_LENGTH - 8) + "bank"
    assert len(query) == MAX_QUERY_LENGTH
    assert matches(query, "bank of acme")


def test_a_query_over_the_length_limit_is_refused() -> None:
    exc = error("a " * (MAX_QUERY_LENGTH // 2 + 1))
    assert str(exc) == (
        f"the query is longer than {MAX_QUERY_LENGTH} characters at column {MAX_QUERY_LENGTH + 1}"
    )


# --- properties ---------------------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "acme",
        "Acme",
        "bank",
        "café",
        "e-mail",
        '"',
        '"acme bank"',
        "(",
        ")",
        "AND",
        "OR",
        "NOT",
        "-",
        "*",
        " ",
        " ",
        "!",
        "ß",
        "\t",
    ]
)
# Queries built from the language's own tokens reach far more of the grammar than random text.
query_texts = st.one_of(st.text(max_size=200), st.lists(_PIECES, max_size=40).map("".join))
_WORDS = st.sampled_from(["acme", "ACME", "bank", "cafe", "Café", "e", "mail", "corp", "x", "ss"])
documents = st.lists(
    st.one_of(_WORDS, st.text(max_size=8), st.sampled_from([" ", "-", ", ", "\n"])), max_size=30
).map("".join)


@settings(max_examples=300, deadline=None)
@given(query_texts)
def test_any_text_either_parses_or_raises_query_error(text: str) -> None:
    try:
        tree = parse_query(text)
    except QueryError as exc:
        assert 0 <= exc.position <= len(text)
        assert "at column" in str(exc)
    else:
        assert isinstance(tree, Term | MatchAll | Not | And | Or)


def _parsed(text: str) -> Node | None:
    try:
        return parse_query(text)
    except QueryError:
        return None


@settings(max_examples=300, deadline=None)
@given(query_texts, documents, documents)
def test_matching_any_query_against_any_document_never_raises(
    text: str, title: str, body: str
) -> None:
    tree = _parsed(text)
    if tree is None:
        return
    found = Query(text, tree).match(Document({"title": title, "text": body}))
    fields = {"title": title, "text": body}
    for hit in found or ():
        # The characters at a hit's offsets are the words of the term that hit.
        matched = [fold(w) for w in re.findall(r"\w+", fields[hit.field][hit.start : hit.end])]
        assert matched == [fold(w) for w in re.findall(r"\w+", hit.term)]


@settings(max_examples=200, deadline=None)
@given(query_texts, documents)
def test_a_negated_query_matches_exactly_what_the_query_does_not(text: str, body: str) -> None:
    tree = _parsed(text)
    negated = _parsed(f"-({text})")
    if tree is None or negated is None:
        return
    doc = Document({"text": body})
    assert (Query(text, tree).match(doc) is None) == (Query(text, negated).match(doc) is not None)
