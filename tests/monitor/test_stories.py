"""Story clustering: syndicated and lightly edited copies are one story; different posts are not."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.stories import (
    BANDS,
    MIN_WORDS,
    SIGNATURE_BYTES,
    SIMILAR,
    Signature,
    StoryIndex,
    band_keys,
    best_match,
    shingles,
    signature,
    similarity,
)

# sha256 of signature(FINE_EN).to_bytes() + repr(band_keys(...)), computed with FORMAT 1.
PINNED_DIGEST = "55442e2b2d1d01b6e0e94ea70bc24fc27a4dcd2e31a0a1403adc92b0d7c8e13a"

# --- invented texts (no real articles) ------------------------------------------------------------

OUTAGE_NL = (
    "Storing bij Stroomlijn treft tienduizenden huishoudens in Utrecht\n"
    "Door een storing in een verdeelstation van energiebedrijf Stroomlijn zitten sinds "
    "dinsdagochtend ruim veertigduizend huishoudens in de provincie Utrecht zonder stroom. "
    "Volgens een woordvoerder werken monteurs met man en macht aan herstel, maar kan het tot de "
    "avond duren voordat iedereen weer stroom heeft. De oorzaak is nog niet bekend. Klanten die "
    "een storing willen melden, krijgen het advies de website te gebruiken, omdat de "
    "klantenservice overbelast is. Ook de gemeente heeft inwoners geïnformeerd via een sms."
)
FINE_EN = (
    "Regulator fines Stroomlijn €2.4 million over misleading energy contracts\n"
    "The Dutch consumer authority has fined energy supplier Stroomlijn 2.4 million euros for "
    "advertising fixed-price contracts whose prices could in fact be changed at any time. Between "
    "2022 and 2024 some 60,000 customers signed up after seeing the offer, the regulator said on "
    "Thursday. Stroomlijn said it regretted the mistake, had already changed its terms and would "
    "compensate customers who paid more than they had been promised. The company has six weeks "
    "to appeal against the decision."
)
SOLAR_NL = (
    "Stroomlijn opent grootste zonnepark van Drenthe\n"
    "Energiebedrijf Stroomlijn heeft vrijdag bij Coevorden een zonnepark van 140 hectare in "
    "gebruik genomen. De ruim 300.000 panelen leveren genoeg stroom voor ongeveer 45.000 "
    "huishoudens. Omwonenden konden vooraf meebeslissen over de inrichting en krijgen een deel "
    "van de opbrengst via een lokaal energiefonds. Tussen de panelen grazen schapen en er is "
    "ruimte gemaakt voor een wandelpad met uitzicht op het Drentse landschap."
)
VIRAL_EN = (
    "I have been a Stroomlijn customer for eleven years and I have never been treated like this. "
    "My meter was replaced in March, since then my bills have tripled and nobody can explain "
    "why. I called five times, was promised a call back three times, and twice the line simply "
    "went dead. Yesterday they threatened to send a debt collector for money I do not owe. "
    "Please share this so they finally listen."
)
TARIFF_NL = (
    "Stroomlijn verhoogt per 1 januari het vaste leveringstarief met vier euro per maand. Volgens "
    "het bedrijf zijn de gestegen netkosten de reden. Klanten krijgen eind november een brief "
    "met hun nieuwe termijnbedrag."
)

SYNDICATED_COPIES = {
    "a new headline and a 'Lees verder' tail": (
        OUTAGE_NL,
        "Tienduizenden Utrechters urenlang zonder stroom\n"
        + OUTAGE_NL.split("\n", 1)[1]
        + " Lees verder op nu.nl",
    ),
    "a sentence added, one removed, accents dropped": (
        OUTAGE_NL,
        OUTAGE_NL.replace(
            "zonder stroom. ",
            "zonder stroom. Ook enkele scholen in Zeist stuurden hun leerlingen naar huis. ",
        )
        .replace("De oorzaak is nog niet bekend. ", "")
        .replace("geïnformeerd", "geinformeerd"),
    ),
    "shouting, odd spacing and punctuation, a site name": (
        OUTAGE_NL,
        "RTV Midden | "
        + OUTAGE_NL.upper().replace(". ", " ... ").replace(",", " ,").replace(" ", "  ")
        + " !!",
    ),
    "a wire-service headline and reporting credits": (
        FINE_EN,
        "Dutch watchdog fines energy firm Stroomlijn over 'fixed' prices\n"
        + FINE_EN.split("\n", 1)[1]
        + " (Reporting by Anna de Vries; Editing by Mark Jones)",
    ),
    "a 'Read more' link with tracking parameters": (
        FINE_EN,
        FINE_EN + " Read more: https://news.example.com/business/stroomlijn-fine"
        "?utm_source=rss&utm_medium=feed&utm_campaign=business",
    ),
    "the last sentence cut, a site name in front": (
        FINE_EN,
        "The Amsterdam Examiner - " + FINE_EN.rsplit(" The company", 1)[0],
    ),
    "a press release with an agency tail": (
        SOLAR_NL,
        SOLAR_NL.replace(
            "Stroomlijn opent grootste zonnepark van Drenthe", "Zonnepark Coevorden open"
        )
        + " Dit bericht is afkomstig van het ANP.",
    ),
    "a repost 'copied from a friend' with typos fixed": (
        VIRAL_EN,
        "Copied from a friend's wall: "
        + VIRAL_EN.replace("eleven", "11")
        .replace(
            "Please share this so they finally listen.", "PLEASE SHARE so they finally listen!!"
        )
        .replace("tripled", "trippled"),
    ),
    "a short news item with a new headline and a tail": (
        TARIFF_NL,
        "Energierekening gaat omhoog\n" + TARIFF_NL + " Lees verder op nu.nl",
    ),
}

# Same company, same day, same subject, written by different people: each needs its own answer.
SAME_TOPIC_DIFFERENT_POSTS = {
    "two Dutch complaints about the outage": (
        "Al sinds vanochtend geen stroom in Utrecht Oost en bij Stroomlijn krijg ik alleen een "
        "bandje te horen. Wanneer is dit opgelost? Ik werk thuis en kan nu helemaal niks.",
        "Stroomlijn, jullie storing duurt nu al zes uur. Mijn vriezer ontdooit en niemand neemt "
        "de telefoon op. Hoe zit het met een vergoeding voor de schade?",
    ),
    "two English complaints about the outage": (
        "@Stroomlijn my power has been out since 7am in Utrecht and your website keeps timing "
        "out. Any update on when this will be fixed?",
        "Third outage this month @Stroomlijn. No power, no information, and the helpline just "
        "hangs up on me. Who do I talk to about compensation for the outage?",
    ),
    "two complaints built from the same phrases": (
        "Geen stroom in Utrecht en de klantenservice van Stroomlijn is niet bereikbaar. Wanneer "
        "hebben we weer stroom?",
        "De klantenservice van Stroomlijn is niet bereikbaar en we hebben al uren geen stroom in "
        "Zeist. Wat is de oorzaak?",
    ),
    "two news reports on the outage written independently": (
        OUTAGE_NL,
        "Grote stroomstoring in Utrecht\n"
        "In delen van Utrecht, Zeist en Bunnik hebben sinds dinsdagochtend zo'n veertigduizend "
        "adressen geen elektriciteit. Netbeheerder en energiebedrijf Stroomlijn spreken van een "
        "defect in een verdeelstation. Waarom dat defect ontstond, wordt nog onderzocht. Winkels "
        "in het centrum bleven dicht en verkeerslichten vielen uit, waardoor de politie het "
        "verkeer regelde. Stroomlijn verwacht dat de storing in de loop van de avond voorbij is.",
    ),
    "two English reports on the fine written independently": (
        FINE_EN,
        "Stroomlijn must pay 2.4 million euros\n"
        "Energy company Stroomlijn has been ordered to pay a penalty of 2.4 million euros after "
        "the consumer authority found that its fixed-price contracts were not fixed at all. About "
        "60,000 households were affected. Consumer groups called the fine too low and urged "
        "customers to check whether they are entitled to compensation.",
    ),
}

UNRELATED = [
    "Hoe kan ik bij Stroomlijn mijn termijnbedrag aanpassen nu ik minder stroom verbruik dan vorig "
    "jaar? In de app kan ik het bedrag niet lager zetten dan negentig euro.",
    "Journalist here: could Stroomlijn comment on the outage before 5pm? We are running a piece on "
    "how energy companies inform customers during large power cuts.",
    "Top geholpen door de monteur van Stroomlijn vanochtend, binnen een half uur was de meterkast "
    "weer in orde en hij legde alles rustig uit. Dank jullie wel!",
]


def _index(*texts: str) -> tuple[StoryIndex, list[int]]:
    """An index holding the given texts (ids 1, 2, ...) and the unrelated posts after them."""
    index = StoryIndex()
    ids = []
    for number, text in enumerate([*texts, *UNRELATED], start=1):
        sig = signature(text)
        assert sig is not None
        index.add(number, sig)
        ids.append(number)
    return index, ids[: len(texts)]


def _signature(text: str) -> Signature:
    sig = signature(text)
    assert sig is not None, f"no signature for {text!r}"
    return sig


# --- what agents get ------------------------------------------------------------------------------


@pytest.mark.parametrize("edit", SYNDICATED_COPIES)
def test_a_syndicated_or_lightly_edited_copy_joins_the_original_story(edit: str) -> None:
    original, copy = SYNDICATED_COPIES[edit]
    index, (original_id,) = _index(original)
    assert similarity(_signature(original), _signature(copy)) >= SIMILAR
    assert index.find(_signature(copy)) == original_id


@pytest.mark.parametrize("pair", SAME_TOPIC_DIFFERENT_POSTS)
def test_different_posts_about_the_same_topic_stay_separate_stories(pair: str) -> None:
    first, second = SAME_TOPIC_DIFFERENT_POSTS[pair]
    index, _ = _index(first)
    assert similarity(_signature(first), _signature(second)) < SIMILAR
    assert index.find(_signature(second)) is None


def test_every_copy_of_a_story_finds_the_same_earliest_mention() -> None:
    index, (original_id,) = _index(OUTAGE_NL)
    copies = [copy for original, copy in SYNDICATED_COPIES.values() if original == OUTAGE_NL]
    for number, copy in enumerate(copies, start=100):
        assert index.find(_signature(copy)) == original_id
        index.add(number, _signature(copy))


def test_a_new_copy_joins_the_copy_it_resembles_most() -> None:
    body = OUTAGE_NL.split("\n", 1)[1]
    body_without_last = body.rsplit(" Ook de gemeente", 1)[0]
    close_copy = "Utrecht zonder stroom\n" + body_without_last + " Lees verder op nu.nl"
    index, (_, close_id) = _index(OUTAGE_NL, close_copy)
    newest = "Utrecht urenlang zonder stroom\n" + body_without_last + " Lees verder op nu.nl"
    assert index.find(_signature(newest)) == close_id


def test_equally_similar_candidates_resolve_to_the_earlier_mention() -> None:
    sig = _signature(FINE_EN)
    assert best_match(sig, [(7, sig), (3, sig), (5, sig)]) == 3
    assert best_match(sig, []) is None


@pytest.mark.parametrize(
    "text",
    [
        "Storing!",
        "Storing?",
        "Weer storing bij Stroomlijn, echt belachelijk",  # 6 words
        "@Stroomlijn thanks for the quick reply!",
        "Stroomlijn storing https://t.co/abc123 https://t.co/def456 #storing #utrecht",
        "ja ja ja ja ja ja ja ja ja ja ja ja",  # 12 words but a single distinct triple
        "",
        "!!! ... ???",
    ],
)
def test_short_posts_get_no_signature_so_never_join_a_story(text: str) -> None:
    assert signature(text) is None


def test_the_minimum_length_is_min_words_words() -> None:
    words = ["de", "storing", "bij", "stroomlijn", "duurt", "al", "sinds", "gisteravond", "veel"]
    assert signature(" ".join(words[: MIN_WORDS - 1])) is None
    assert signature(" ".join(words[:MIN_WORDS])) is not None


def test_a_long_article_with_one_edit_is_found() -> None:
    rng = random.Random(3)
    vocabulary = _vocabulary(rng)
    article = " ".join(rng.choices(vocabulary, k=6000))  # more shingles than one step handles
    copy = "Ingezonden: " + article.replace(article[:40], "", 1) + " Lees verder op nu.nl"
    index, (article_id,) = _index(article)
    assert index.find(_signature(copy)) == article_id


# --- the stored format ----------------------------------------------------------------------------


def test_a_signature_round_trips_through_its_compact_bytes() -> None:
    sig = _signature(OUTAGE_NL)
    data = sig.to_bytes()
    assert len(data) == SIGNATURE_BYTES <= 512
    assert Signature.from_bytes(data) == sig
    assert similarity(Signature.from_bytes(data), sig) == 1.0


def test_bytes_of_the_wrong_length_are_refused() -> None:
    with pytest.raises(ValueError, match="512 bytes"):
        Signature.from_bytes(b"\x00" * 100)


def test_band_keys_fit_a_signed_64_bit_database_column() -> None:
    for text in [OUTAGE_NL, FINE_EN, SOLAR_NL, VIRAL_EN, TARIFF_NL, *UNRELATED]:
        keys = band_keys(_signature(text))
        assert len(keys) == BANDS
        assert all(isinstance(key, int) and 0 <= key < 2**63 for key in keys)


def test_the_same_text_gives_the_same_signature_and_keys_in_another_process() -> None:
    script = (
        "import sys; from monitor.stories import signature, band_keys; "
        "sig = signature(sys.stdin.buffer.read().decode()); "
        "print(sig.to_bytes().hex(), band_keys(sig))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}  # a different salt for str hashes
    result = subprocess.run(
        [sys.executable, "-c", script],
        input=OUTAGE_NL.encode(),
        capture_output=True,
        check=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    sig = _signature(OUTAGE_NL)
    assert result.stdout.decode().strip() == f"{sig.to_bytes().hex()} {band_keys(sig)}"


def test_the_stored_format_does_not_drift_between_releases() -> None:
    # Stored signatures and band keys must stay comparable with new ones: if this fails, the
    # normalisation, hashing or layout changed; bump FORMAT and recompute what is stored.
    sig = _signature(FINE_EN)
    digest = hashlib.sha256(sig.to_bytes() + repr(band_keys(sig)).encode()).hexdigest()
    assert digest == PINNED_DIGEST


# --- properties -----------------------------------------------------------------------------------


@given(st.text(max_size=400))
def test_any_text_has_a_signature_or_none_and_never_crashes(text: str) -> None:
    sig = signature(text)
    assert isinstance(shingles(text), set)
    if sig is not None:
        assert similarity(sig, sig) == 1.0
        assert Signature.from_bytes(sig.to_bytes()) == sig
        assert all(0 <= key < 2**63 for key in band_keys(sig))


@given(st.text(min_size=20, max_size=400), st.text(min_size=20, max_size=400))
def test_similarity_is_symmetric_and_between_zero_and_one(first: str, second: str) -> None:
    a, b = signature(first), signature(second)
    if a is not None and b is not None:
        assert similarity(a, b) == similarity(b, a)
        assert 0.0 <= similarity(a, b) <= 1.0


@given(st.lists(st.sampled_from(["storing", "Stroomlijn", "geen", "stroom", "in", "de", "Utrecht",
                                 "café", "CAFE", "caf\u00e9", "weer", "!", ",", "\n"]),
                min_size=MIN_WORDS + 4, max_size=60))  # fmt: skip
def test_case_accents_punctuation_and_spacing_never_change_a_signature(tokens: list[str]) -> None:
    text = " ".join(tokens)
    variant = "  ".join(token.upper() for token in tokens).replace("é", "e") + " ?!"
    assert signature(text) == signature(variant)


# --- measured on a generated set ------------------------------------------------------------------


def _vocabulary(rng: random.Random, size: int = 4000) -> list[str]:
    syllables = ["ka", "lo", "mi", "ver", "de", "an", "stro", "om", "lijn", "en", "ie", "ui"]
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choices(syllables, k=rng.randint(1, 4))))
    return sorted(words)


@dataclass
class _Generator:
    """Synthetic articles (Zipf-distributed made-up words) and syndicated copies of them."""

    rng: random.Random
    vocabulary: list[str]

    @cached_property
    def weights(self) -> list[float]:
        return [1 / rank for rank in range(1, len(self.vocabulary) + 1)]

    def sentence(self) -> str:
        words = self.rng.choices(self.vocabulary, self.weights, k=self.rng.randint(6, 18))
        return " ".join(words).capitalize() + "."

    def article(self, low: int, high: int) -> list[str]:
        target, sentences, words = self.rng.randint(low, high), [], 0
        while words < target:
            sentences.append(self.sentence())
            words += len(sentences[-1].split())
        return sentences

    def copy(self, sentences: list[str]) -> str:
        """One or two of: a new headline, a tail, a site name, a sentence added or removed, and
        shouting with other punctuation."""
        edited = list(sentences)
        edits = ["headline", "tail", "site", "add", "remove", "shout"]
        for edit in self.rng.sample(edits, self.rng.randint(1, 2)):
            if edit == "headline":
                edited[0] = self.sentence()
            elif edit == "tail":
                edited.append(self.rng.choice(["Lees verder op nu.nl", "Read more: x.com/a?b=c"]))
            elif edit == "site":
                edited.insert(0, self.rng.choice(["RTV Midden |", "The Amsterdam Examiner -"]))
            elif edit == "add":
                edited.insert(self.rng.randint(1, len(edited)), self.sentence())
            elif edit == "remove" and len(edited) > 1:
                edited.pop(self.rng.randrange(1, len(edited)))
            elif edit == "shout":
                edited = [s.upper().replace(".", " !") for s in edited]
        return " ".join(edited)


def _jaccard(first: str, second: str) -> float:
    a, b = shingles(first), shingles(second)
    return len(a & b) / len(a | b)


def test_measured_on_500_generated_articles_and_their_copies() -> None:
    """Articles of 40-300 words, each copied with one or two edits: at most 5% of copies are
    missed, none that keeps three quarters of its word triples, and no new article is merged
    into an unrelated one. (Measured over four seeds: 8-11 of 500 missed, all under 100 words,
    where one edit is a large share of the text, and with an exact Jaccard of 0.19-0.67.)"""
    rng = random.Random(2026)
    generate = _Generator(rng, _vocabulary(rng))
    index, copies = StoryIndex(), []
    for number in range(500):
        article = " ".join(generate.article(40, 300))
        index.add(number, _signature(article))
        copies.append((number, article, generate.copy(article.split(". "))))
    missed = [(a, c) for n, a, c in copies if index.find(_signature(c)) != n]
    assert len(missed) <= 25
    assert all(_jaccard(article, copy) < 0.75 for article, copy in missed)
    merged = [index.find(_signature(" ".join(generate.article(40, 300)))) for _ in range(500)]
    assert merged == [None] * 500
