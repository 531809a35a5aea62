"""Brand matching: 100 brand queries against 10,000 mentions, the QuerySet against every pair.

The figure the issue asks for is the first: building the Document of each mention (tokenising)
plus QuerySet.match, end to end. The plain loop of Query.match over every (query, mention) pair
runs on a tenth of the mentions, and must give the same matches.
"""

from __future__ import annotations

import random
import time

from monitor.query import Document, Query, QuerySet

SEED = 20261123
MENTIONS = 10_000
NAIVE_SAMPLE = 1_000


def _words(text: str) -> list[str]:
    return text.split()


_STARTS = _words("stroom zon wind groen snel fiets bouw zorg spaar reis")
_ENDS = _words("lijn net punt huis plein werk markt link kracht direct")
_FILLER = _words("""
de het een en van in op is dat die niet met voor zijn er maar ook nog wel al dan bij naar
om als uit nu wat kan heb heeft had weer geen toch even gewoon echt vandaag gisteren morgen
week maand jaar thuis werk buiten nieuwe oude goed slecht snel traag lang kort hele klant
klanten mensen iemand iedereen niemand telefoon mail brief app website account pagina
bericht vraag antwoord probleem oplossing prijs tarief contract abonnement levering pakket
monteur afspraak wachttijd wachten bellen gebeld reactie stroom gas water meter aansluiting
the a and of to in is it for on with this that not but have has was are my your our they
service customer support phone call waiting hours days still again never always really
great terrible thanks help please why how when where what update news today yesterday
""")
_COMPLAINTS = _words("""storing storingen uitval klacht klachten boos woedend factuur rekening
termijnbedrag klantenservice klantenservicemedewerker inloggen inlogcode wachtwoord down
outage complaint refund vacature vacatures""")
_NEWS_SITES = ["nos.nl", "www.nu.nl", "nieuws.example.com", "forum.example.org", "x.com"]
_AUTHORS = ["Jan de Vries", "Sanne Bakker", "Mo Yilmaz", "Priya Shah", "Tom Jansen"]


def brand_names() -> list[str]:
    return [start + end for start in _STARTS for end in _ENDS]


def brand_queries(names: list[str]) -> dict[str, str]:
    """One query per brand, cycling through the shapes that real brand queries take."""
    shapes = [
        '{b} OR "{b} energie" NOT "{b} architecten"',
        "({b} OR {b}.nl) NEAR/5 (storing* OR klacht* OR boos)",
        "title:{b} OR ({b} NEAR/3 klantenservice*)",
        "{{{B}}} -site:{b}.nl",
        '"{b} app*" OR ({b} AND (inlog* OR wachtwoord))',
        "{b} -author:{b}care lang:nl",
        '{b}* NOT (vacature* OR "{b} architecten")',
        "({b} OR @{b}) AND NOT site:{b}.nl",
        "text:({b} NEAR/2 (factuur OR rekening OR termijnbedrag))",
        '{b} (storing* OR uitval OR "werkt niet" OR down)',
    ]
    return {
        name: shapes[number % len(shapes)].format(b=name, B=name.capitalize())
        for number, name in enumerate(names)
    }


def mentions(rng: random.Random, names: list[str], count: int) -> list[dict[str, str]]:
    """Synthetic mentions: filler words, a brand in about a third, complaints in some."""
    made = []
    for _ in range(count):
        words = rng.choices(_FILLER, k=rng.randint(20, 60))
        title = rng.choices(_FILLER, k=rng.randint(4, 10))
        brand = rng.choice(names)
        if rng.random() < 0.35:
            words.insert(rng.randrange(len(words)), rng.choice([brand, brand.capitalize()]))
            if rng.random() < 0.5:
                words.insert(rng.randrange(len(words)), rng.choice(_COMPLAINTS))
        if rng.random() < 0.15:
            title.insert(rng.randrange(len(title)), brand.capitalize())
        site = f"www.{brand}.nl" if rng.random() < 0.1 else rng.choice(_NEWS_SITES)
        made.append(
            {
                "title": " ".join(title).capitalize(),
                "text": " ".join(words).capitalize() + rng.choice([".", "!", "?"]),
                "author": f"{brand}care" if rng.random() < 0.05 else rng.choice(_AUTHORS),
                "url": f"https://{site}/{rng.randrange(10**6)}",
                "language": rng.choice(["nl", "nl", "nl", "en"]),
            }
        )
    return made


def _document(mention: dict[str, str]) -> Document:
    return Document(
        {"title": mention["title"], "text": mention["text"]},
        author=mention["author"],
        url=mention["url"],
        language=mention["language"],
    )


def run() -> list[tuple[str, str]]:
    rng = random.Random(SEED)
    names = brand_names()
    texts = brand_queries(names)
    queries = QuerySet.compile(texts)
    raw = mentions(rng, names, MENTIONS)
    pairs = len(texts) * len(raw)

    # As in the pipeline: each mention becomes a Document once, is matched, and is let go.
    started = time.perf_counter()
    matched = [queries.match(_document(mention)) for mention in raw]
    total = time.perf_counter() - started
    started = time.perf_counter()
    for mention in raw:
        _document(mention)
    tokenised = time.perf_counter() - started

    compiled = [(name, Query.compile(text)) for name, text in texts.items()]
    sample = [_document(mention) for mention in raw[:NAIVE_SAMPLE]]
    started = time.perf_counter()
    naive = [
        [(name, hits) for name, query in compiled if (hits := query.match(document)) is not None]
        for document in sample
    ]
    naive_rate = len(compiled) * len(sample) / (time.perf_counter() - started)
    assert naive == matched[:NAIVE_SAMPLE], "the QuerySet and the plain loop disagree"
    candidates = sum(len(queries.candidates(d)) for d in sample) / len(sample)
    found = sum(len(m) for m in matched)
    return [
        (f"match {len(texts)} queries x {len(raw):,} mentions (s)", f"{total:.2f}"),
        ("  of which tokenising the mentions (s)", f"{tokenised:.2f}"),
        ("matching (query, mention) pairs/s", f"{pairs / total:,.0f}"),
        ("plain Query.match loop (pairs/s)", f"{naive_rate:,.0f}"),
        ("queries evaluated per mention (mean)", f"{candidates:.1f}"),
        ("matches (query, mention)", f"{found:,} in {sum(bool(m) for m in matched):,} mentions"),
    ]


if __name__ == "__main__":
    for name, value in run():
        print(f"{name:<46}  {value}")
