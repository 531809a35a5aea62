"""The brand query language: what a query matches, where it matched, and how it explains a typo."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

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
    Lang,
    MatchAll,
    Near,
    Node,
    Not,
    Or,
    Query,
    QuerySet,
    Site,
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


def matches_mention(query: str, text: str = "", title: str = "", **metadata: str) -> bool:
    """Match against a full mention: title and text plus author, url or language."""
    document = Document({"title": title, "text": text}, **metadata)
    return Query.compile(query).match(document) is not None


def hit_texts(query: str, text: str) -> list[str]:
    found = hits(query, text=text)
    return [text[h.start : h.end] for h in found]


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


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Stroomlijn Energie",
        "ACME Corp. 16:00 https://Example.COM/x?Y=1",
        "".join(map(chr, range(128))),  # every ASCII character
        "Café ÉNERGIE Ångström",
        "Straße ﬁets İstanbul ½",
        "naïve façade, ŒUVRE",
    ],
)
def test_fold_gives_the_same_words_with_or_without_its_ascii_shortcut(text: str) -> None:
    decomposed = unicodedata.normalize("NFKD", text)
    without_shortcut = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    assert fold(text) == without_shortcut


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


# --- NEAR ---------------------------------------------------------------------------------------


def test_near_finds_words_within_the_distance_in_either_order() -> None:
    assert matches("stroomlijn NEAR/3 storing", "stroomlijn heeft weer een storing")
    assert matches("stroomlijn NEAR/3 storing", "storing bij stroomlijn")
    assert not matches("stroomlijn NEAR/3 storing", "stroomlijn heeft vandaag weer een storing")


def test_near_counts_the_words_between_the_two() -> None:
    assert matches("acme NEAR/2 storing", "acme een grote storing")
    assert not matches("acme NEAR/2 storing", "acme een hele grote storing")


def test_near_reaches_up_to_fifty_words() -> None:
    assert matches("acme NEAR/50 bank", "acme " + "woord " * 50 + "bank")
    assert not matches("acme NEAR/50 bank", "acme " + "woord " * 51 + "bank")


def test_near_zero_means_next_to_each_other() -> None:
    assert matches("acme NEAR/0 bank", "bank acme")
    assert not matches("acme NEAR/0 bank", "acme de bank")


def test_near_without_a_distance_means_within_five_words() -> None:
    assert parse_query("acme NEAR bank") == Near(
        (Term(("acme",), "acme", 0),), (Term(("bank",), "bank", 10),), 5
    )
    assert matches("acme NEAR bank", "acme een twee drie vier vijf bank")
    assert not matches("acme NEAR bank", "acme een twee drie vier vijf zes bank")


def test_near_needs_both_words_in_the_same_field() -> None:
    assert not matches("acme NEAR/3 storing", "storing", title="acme")
    assert matches("acme NEAR/3 storing", "storing bij acme", title="acme")


def test_near_joins_phrases_wildcards_and_case_sensitive_terms() -> None:
    assert matches('"acme bank" NEAR/2 storing*', "storingen bij de Acme Bank")
    assert matches("{ING} NEAR/2 app", "de app van ING")
    assert not matches("{ING} NEAR/2 app", "de app van ing")


def test_near_counts_from_the_edges_of_a_phrase() -> None:
    assert matches('"acme bank" NEAR/1 storing', "acme bank heeft storing")
    assert not matches('"acme bank" NEAR/1 storing', "storing heeft de acme bank")


def test_near_accepts_a_group_of_alternatives_on_either_side() -> None:
    query = "(acme OR stroomlijn) NEAR/2 (storing OR stroomuitval)"
    assert matches(query, "stroomuitval bij stroomlijn")
    assert matches(query, "acme meldt een storing")
    assert not matches(query, "acme is top, maar elders is een storing")


def test_near_binds_tighter_than_and() -> None:
    assert parse_query("klant acme NEAR/2 bank") == And(
        (
            Term(("klant",), "klant", 0),
            Near((Term(("acme",), "acme", 6),), (Term(("bank",), "bank", 18),), 2),
        )
    )


def test_a_minus_before_near_excludes_the_pair() -> None:
    query = "acme -acme NEAR/1 corp"
    assert matches(query, "acme, en verderop een corp")
    assert not matches(query, "acme corp")
    assert not matches(query, "corp de acme")


def test_near_does_not_pair_an_occurrence_with_itself() -> None:
    assert not matches("acme NEAR/3 acme", "alleen acme hier")
    assert matches("acme NEAR/3 acme", "acme en nog eens acme")
    assert not matches('"acme bank" NEAR/3 bank', "de acme bank")


def test_near_finds_the_one_close_pair_among_many_occurrences() -> None:
    acme_then_filler = "acme " + "woord " * 20
    text = acme_then_filler * 50 + "storing " + "woord " * 4 + acme_then_filler * 50
    assert not matches("acme NEAR/3 storing", text)
    assert matches("acme NEAR/4 storing", text)


def test_near_hits_are_the_occurrences_close_to_a_partner() -> None:
    text = "acme, verder niets. " + "x " * 10 + "storing bij acme"
    assert hit_texts("acme NEAR/2 storing", text) == ["storing", "acme"]


def test_lower_case_near_is_an_ordinary_word() -> None:
    assert matches("acme near bank", "acme near bank")
    assert not matches("acme near bank", "acme bank")


# --- wildcards ----------------------------------------------------------------------------------


def test_a_wildcard_matches_whole_words_that_begin_with_it() -> None:
    assert matches("klantenservice*", "de klantenservicemedewerker was top")
    assert matches("klantenservice*", "bel de klantenservice")
    assert not matches("klantenservice*", "geen klantenservic hier")
    assert not matches("klantenservice*", "onzeklantenservice")


def test_a_wildcard_ignores_case_and_accents() -> None:
    assert matches("cafe*", "Naar CAFÉS en terrassen")
    assert matches("Café*", "cafetaria")


def test_a_wildcard_hit_covers_the_whole_word() -> None:
    assert hit_texts("storing*", "Twee Storingen vandaag") == ["Storingen"]


def test_a_phrase_can_end_in_a_wildcard() -> None:
    assert parse_query('"stroomlijn app*"') == Term(
        ("stroomlijn", "app"), "stroomlijn app*", 0, prefix=True
    )
    assert hit_texts('"stroomlijn app*"', "de Stroomlijn-applicatie") == ["Stroomlijn-applicatie"]
    assert not matches('"stroomlijn app*"', "stroomlijn de app")


# --- case-sensitive terms -----------------------------------------------------------------------


def test_a_braced_term_matches_only_that_exact_case() -> None:
    assert matches("{ING}", "Klant bij ING sinds jaren")
    assert not matches("{ING}", "Klant bij Ing sinds jaren")
    assert not matches("{ING}", "ing")


def test_a_braced_term_still_matches_whole_words_only() -> None:
    assert not matches("{ING}", "TRAINING")
    assert not matches("{ing}", "training")


def test_a_braced_term_keeps_its_accents_exact() -> None:
    assert matches("{Café}", "Café Zuid")
    assert not matches("{Café}", "Cafe Zuid")
    assert hit_texts("{Café}", "Één café, één Café") == ["Café"]


def test_a_braced_phrase_matches_its_words_in_that_case_with_or_without_quotes() -> None:
    for query in ('{"ING Bank"}', "{ING Bank}"):
        assert matches(query, "de ING-Bank app")
        assert not matches(query, "de ING bank app")
    assert hits('{"ING Bank"}', text="ING Bank")[0].term == "ING Bank"


def test_a_braced_term_can_end_in_a_wildcard() -> None:
    assert matches("{ABN*}", "ABNAMRO")
    assert not matches("{ABN*}", "Abnormaal")


# --- fields -------------------------------------------------------------------------------------


def test_a_title_prefix_matches_only_the_title() -> None:
    assert matches("title:storing", "niets", title="Storing bij Acme")
    assert not matches("title:storing", "storing bij acme", title="Acme")


def test_a_text_prefix_matches_only_the_text() -> None:
    assert matches("text:storing", "storing bij acme", title="Acme")
    assert not matches("text:storing", "niets", title="Storing")


def test_a_field_prefix_applies_to_a_phrase_a_wildcard_and_a_braced_term() -> None:
    assert matches('title:"acme bank"', "", title="De Acme Bank")
    assert not matches('title:"acme bank"', "De Acme Bank")
    assert matches("title:storing*", "", title="Storingen")
    assert not matches("title:{ING}", "ING", title="ing")


def test_a_field_prefix_before_a_group_applies_to_every_term_in_it() -> None:
    query = "title:(acme OR stroomlijn) storing"
    assert parse_query(query) == And(
        (
            Or(
                (
                    Term(("acme",), "acme", 7, field="title"),
                    Term(("stroomlijn",), "stroomlijn", 15, field="title"),
                )
            ),
            Term(("storing",), "storing", 27),
        )
    )
    assert matches(query, "een storing", title="Stroomlijn")
    assert not matches(query, "stroomlijn storing", title="nieuws")


def test_an_inner_field_prefix_wins_over_the_group_prefix() -> None:
    assert matches("title:(acme text:storing)", "storing", title="Acme")
    assert not matches("title:(acme text:storing)", "acme", title="storing")


def test_a_field_name_ignores_case() -> None:
    assert parse_query("Title:acme") == Term(("acme",), "acme", 6, field="title")


def test_plain_terms_do_not_search_the_author() -> None:
    assert not matches_mention("jan", "een bericht", author="Jan de Vries")


def test_author_matches_words_of_the_author() -> None:
    assert matches_mention("author:jan", "een bericht", author="Jan de Vries")
    assert matches_mention('author:"de vries"', "een bericht", author="Jan de Vries")
    assert not matches_mention("author:jan", "jan schreef dit", author="Piet")


def test_an_author_hit_points_into_the_author() -> None:
    document = Document({"title": "", "text": "x"}, author="Door Jan Jansen")
    assert Query.compile("author:jansen").match(document) == [Hit("jansen", "author", 9, 15)]


def test_site_matches_the_host_and_its_subdomains() -> None:
    for url in (
        "https://example.com/a",
        "http://www.example.com",
        "https://nieuws.example.com:8443/x?y=1",
    ):
        assert matches_mention("site:example.com", url=url), url


def test_site_ignores_case_and_does_not_match_look_alike_hosts() -> None:
    assert matches_mention("site:Example.COM", url="https://WWW.EXAMPLE.com/")
    for url in ("https://notexample.com/", "https://example.com.evil.org/", "https://example.co/"):
        assert not matches_mention("site:example.com", url=url), url


def test_lang_matches_the_detected_language() -> None:
    assert parse_query("lang:NL") == Lang("nl", 0)
    assert matches_mention("acme lang:nl", "acme", language="nl")
    assert not matches_mention("acme lang:nl", "acme", language="en")


def test_a_mention_without_url_or_language_matches_no_site_or_lang() -> None:
    assert not matches_mention("site:example.com", "example.com")
    assert not matches_mention("lang:nl", "een Nederlandse tekst")
    assert matches_mention("acme -site:example.com -lang:en", "acme")
    assert matches_mention("site:example.com", url="https://[::1") is False


def test_site_and_lang_decide_the_match_but_add_no_hits() -> None:
    document = Document({"text": "acme"}, url="https://example.com/", language="nl")
    assert Query.compile("site:example.com lang:nl").match(document) == []
    assert Query.compile("acme site:example.com").match(document) == [Hit("acme", "text", 0, 4)]


def test_a_colon_in_a_time_a_url_or_after_a_space_is_not_a_field_prefix() -> None:
    assert parse_query("16:00") == Term(("16", "00"), "16:00", 0)
    assert matches("https://acme.nl/storing", "zie https://acme.nl/storing")
    assert matches("let op: storing", "Let op: storing bij acme")


def test_a_word_with_a_colon_can_be_searched_in_quotes() -> None:
    assert matches('"re:acme"', "Re: acme")


def test_a_document_takes_just_its_fields_as_before() -> None:
    document = Document({"title": "Acme", "text": "storing"})
    assert (document.author, document.url, document.language, document.host) == ("", "", "", "")
    assert Query.compile("title:acme storing").match(document) is not None


def test_the_brand_example_finds_outages_in_titles_away_from_the_brand_site() -> None:
    query = "title:(stroomlijn NEAR/3 storing) -site:stroomlijn.nl"
    title = "Grote storing bij Stroomlijn"
    assert matches_mention(query, title=title, url="https://nieuws.nl/1")
    assert not matches_mention(query, title=title, url="https://www.stroomlijn.nl/status")
    assert not matches_mention(query, "grote storing bij stroomlijn", url="https://nieuws.nl/1")


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


@pytest.mark.parametrize(
    ("query", "message", "column"),
    [
        ("acme NEAR/ bank", "NEAR needs a distance such as NEAR/5", 6),
        ("acme NEAR/x bank", "NEAR needs a distance such as NEAR/5", 6),
        ("acme NEAR/-1 bank", "NEAR needs a distance such as NEAR/5", 6),
        ("acme NEAR/51 bank", "NEAR/51 is too far: the largest distance is 50", 6),
        ("acme NEAR", "NEAR needs a term on both sides", 6),
        ("NEAR/3 acme", "NEAR needs a term on both sides", 1),
        ("acme NEAR/3 OR bank", "NEAR needs a term on both sides", 6),
        ("acme OR NEAR bank", "OR needs a term on both sides", 6),
        ("(acme NEAR) bank", "NEAR needs a term on both sides", 7),
        ("a NEAR b NEAR c", "NEAR joins two terms; for more write (a NEAR b) AND (b NEAR c)", 10),
        ("acme NEAR -bank", "NEAR can only join words, phrases or (a OR b) groups of them", 11),
        ("acme NEAR NOT bank", "NEAR can only join words, phrases or (a OR b) groups of them", 11),
        ("(a b) NEAR c", "NEAR can only join words, phrases or (a OR b) groups of them", 1),
        ("* NEAR c", "NEAR can only join words, phrases or (a OR b) groups of them", 1),
        ("c NEAR site:a.nl", "NEAR can only join words, phrases or (a OR b) groups of them", 8),
        ("kl*", "a wildcard needs at least 3 characters before *", 3),
        ('"stroomlijn a*"', "a wildcard needs at least 3 characters before *", 14),
        ("*acme", "a wildcard * can only end a word, like klant*", 1),
        ("klant*service", "a wildcard * can only end a word, like klant*", 6),
        ("klant**", "a wildcard * can only end a word, like klant*", 6),
        ('"klant* service"', "a wildcard * can only end a word, like klant*", 7),
        ('"acme *"', "a wildcard * can only end a word, like klant*", 7),
        ("acme {ING", "unclosed '{'", 6),
        ("ING} acme", "unexpected '}' without a matching '{'", 4),
        ("{}", "the case-sensitive term '' has no letters or digits", 1),
        (
            "titel:acme",
            "unknown field 'titel:'; the fields are title:, text:, author:, site:, lang:",
            1,
        ),
        (
            "acme auteur:jan",
            "unknown field 'auteur:'; the fields are title:, text:, author:, site:, lang:",
            6,
        ),
        ("title: acme", "title: needs a term right after the colon, like title:acme", 1),
        ("acme site:", "site: needs a term right after the colon, like site:example.com", 6),
        ("lang:", "lang: needs a term right after the colon, like lang:nl", 1),
        ("title:*", "title: needs a word, phrase or (group) right after it", 1),
        ("title:-acme", "title: needs a word, phrase or (group) right after it", 1),
        ("title:text:acme", "title: needs a word, phrase or (group) right after it", 1),
        ("title:(acme", "missing ')' for the '(' opened", 7),
        ("site:https://example.com", "site: needs a host name such as example.com", 6),
        ("site:example.com/nieuws", "site: needs a host name such as example.com", 6),
        ('site:"example.com"', "site: needs a host name such as example.com", 6),
        ("lang:dutch", "lang: needs a code such as nl", 6),
    ],
)
def test_a_bad_use_of_near_wildcards_braces_or_fields_is_explained_with_its_column(
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


# --- many queries at once -----------------------------------------------------------------------


def test_a_query_set_reports_every_matching_query_in_the_order_given() -> None:
    queries = QuerySet.compile(
        {"Stroomlijn": "stroomlijn", "Acme": "acme OR {ACME}", "Bank": "bank"}
    )
    document = Document({"title": "ACME", "text": "Acme en Stroomlijn"})
    assert queries.match(document) == [
        ("Stroomlijn", [Hit("stroomlijn", "text", 8, 18)]),
        (
            "Acme",
            [Hit("acme", "title", 0, 4), Hit("acme", "text", 0, 4), Hit("ACME", "title", 0, 4)],
        ),
    ]


def test_first_match_is_the_first_query_in_the_order_given_that_matches() -> None:
    queries = QuerySet.compile({"Bank": "bank", "Acme": "acme", "Stroomlijn": "stroomlijn"})
    document = Document({"text": "Stroomlijn en Acme"})
    assert queries.first_match(document) == ("Acme", [Hit("acme", "text", 14, 18)])
    assert queries.first_match(Document({"text": "niets"})) is None


def test_a_query_set_can_be_built_from_compiled_queries() -> None:
    queries = QuerySet({"Acme": Query.compile("acme")})
    assert queries.match(Document({"text": "acme"})) == [("Acme", [Hit("acme", "text", 0, 4)])]


def test_a_query_set_checks_only_the_queries_a_document_could_match() -> None:
    queries = QuerySet.compile(
        {
            "needs acme": "acme NOT corp",
            "needs a stroomlijn word": '"stroomlijn energie" OR stroomlijn*',
            "needs klant and boos": "klant* NEAR/3 boos",
            "needs the site": "site:example.com",
            "needs acme or the language": "acme OR lang:nl",
            "needs nothing": "-spam",
        }
    )
    document = Document({"text": "Stroomlijnen is leuk"}, url="https://nieuws.example.com/")
    assert queries.candidates(document) == [
        "needs a stroomlijn word",
        "needs the site",
        "needs nothing",
    ]


def test_a_query_set_always_checks_queries_that_can_match_without_any_word() -> None:
    queries = QuerySet.compile({"all": "*", "not corp": "NOT corp", "not spam": "-spam"})
    assert queries.candidates(Document({"text": ""})) == ["all", "not corp", "not spam"]


def test_a_query_set_with_a_bad_query_raises_its_error_naming_the_query() -> None:
    with pytest.raises(QueryError) as caught:
        QuerySet.compile({"Acme": "acme", "Broken": "acme OR"})
    assert str(caught.value) == "OR needs a term on both sides at column 6"
    assert caught.value.__notes__ == ["in the query for 'Broken'"]


# --- properties ---------------------------------------------------------------------------------

NODE_TYPES = (Term, MatchAll, Not, And, Or, Near, Site, Lang)
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
_NEW_PIECES = st.sampled_from(
    [
        *("NEAR", "NEAR/2", "NEAR/0", "NEAR/", "NEAR/99", "near", "klant*", "ab*", "**"),
        *("{ING}", "{", "}", '{"ING Bank"}', "{ABN*}", '"acme app*"', "16:00", "https://x.nl"),
        *("title:", "Text:", "author:", "site:", "lang:", "site:example.com", "lang:nl", "titel:"),
        *(":", "/", ".", "acme", "bank", " ", " ", "(", ")", '"', "-", "*", "OR", "AND", "NOT"),
    ]
)
new_syntax_texts = st.lists(_NEW_PIECES, max_size=40).map("".join)
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
        assert isinstance(tree, NODE_TYPES)


@settings(max_examples=500, deadline=None)
@given(new_syntax_texts)
def test_any_mix_of_near_wildcards_braces_and_fields_parses_or_raises_query_error(
    text: str,
) -> None:
    try:
        tree = parse_query(text)
    except QueryError as exc:
        assert 0 <= exc.position <= len(text)
        assert str(exc).endswith(f"at column {exc.position + 1}")
    else:
        assert isinstance(tree, NODE_TYPES)


def _parsed(text: str) -> Node | None:
    try:
        return parse_query(text)
    except QueryError:
        return None


def _words_of(text: str) -> list[str]:
    return [fold(w) for w in re.findall(r"\w+", text)]


@settings(max_examples=300, deadline=None)
@given(st.one_of(query_texts, new_syntax_texts), documents, documents, documents)
def test_matching_any_query_against_any_document_never_raises(
    text: str, title: str, body: str, author: str
) -> None:
    tree = _parsed(text)
    if tree is None:
        return
    fields = {"title": title, "text": body, "author": author}
    document = Document({"title": title, "text": body}, author=author, url=f"https://{body}/")
    for hit in Query(text, tree).match(document) or ():
        # The characters at a hit's offsets are the words of the term that hit; a wildcard's
        # last word need only begin with the word before the *.
        *matched_head, matched_last = _words_of(fields[hit.field][hit.start : hit.end])
        *term_head, term_last = _words_of(hit.term)
        assert matched_head == term_head
        if hit.term.rstrip().endswith("*"):
            assert matched_last.startswith(term_last)
        else:
            assert matched_last == term_last


@settings(max_examples=200, deadline=None)
@given(st.one_of(query_texts, new_syntax_texts), documents)
def test_a_negated_query_matches_exactly_what_the_query_does_not(text: str, body: str) -> None:
    tree = _parsed(text)
    negated = _parsed(f"-({text})")
    if tree is None or negated is None:
        return
    doc = Document({"text": body}, url="https://example.com/", language="nl")
    assert (Query(text, tree).match(doc) is None) == (Query(text, negated).match(doc) is not None)


_TERMS = [
    *("acme", "bank", "klant*", "sto*", "café", "ing", '"acme bank"', '"acme ban*"', "{ING}"),
    *("{Acme}", "{ACM*}", "title:acme", "text:bank", "author:jan", "author:kla*", "(acme OR jan)"),
]
_LEAVES = [*_TERMS, "site:example.com", "site:www.example.com", "lang:nl", "*"]


def _two(template: str) -> Callable[[tuple[str, str]], str]:
    return lambda pair: template.format(*pair)


def _one(template: str) -> Callable[[str], str]:
    return lambda part: template.format(part)


_near_queries = st.builds(
    "{} NEAR/{} {}".format, st.sampled_from(_TERMS), st.integers(0, 3), st.sampled_from(_TERMS)
)
# Valid queries of every shape, built the way people write them, so that almost none is wasted.
structured_queries = st.recursive(
    st.one_of(st.sampled_from(_LEAVES), _near_queries),
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(_two("{} {}")),
        st.tuples(inner, inner).map(_two("{} OR {}")),
        st.tuples(inner, inner).map(_two("({}) NOT ({})")),
        inner.map(_one("-({})")),
        inner.map(_one("title:({})")),
    ),
    max_leaves=6,
)
_MENTION_WORDS = st.sampled_from(
    [
        *("acme", "Acme", "ACME", "bank", "klant", "klantenservice", "kla", "storing", "sto"),
        *("ING", "Ing", "ing", "training", "café", "CAFE", "jan", "ACMEE", "Acmé", "x"),
    ]
)
_mention_texts = st.lists(_MENTION_WORDS, max_size=6).map(" ".join)
mentions = st.builds(
    lambda title, text, author, url, language: Document(
        {"title": title, "text": text}, author=author, url=url, language=language
    ),
    _mention_texts,
    _mention_texts,
    st.one_of(st.none(), _mention_texts),
    st.sampled_from(
        [None, "https://example.com/a", "https://WWW.example.com", "https://notexample.com"]
    ),
    st.sampled_from([None, "nl", "en"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(structured_queries, min_size=1, max_size=6), st.lists(mentions, max_size=4))
def test_a_query_set_gives_the_same_answers_as_matching_every_query(
    texts: list[str], documents: list[Document]
) -> None:
    named = {f"brand {number}": text for number, text in enumerate(texts)}
    queries = QuerySet.compile(named)
    for document in documents:
        expected = [
            (name, found)
            for name, text in named.items()
            if (found := Query.compile(text).match(document)) is not None
        ]
        assert queries.match(document) == expected
        assert queries.first_match(document) == (expected[0] if expected else None)
