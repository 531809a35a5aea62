"""Dedup keys: one article reached through different links, or reposted, is one mention."""

from __future__ import annotations

import pytest

from monitor.dedup import canonical_url, content_hash, dedup_key

# --- canonical URLs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        "https://news.example.org/acme/storing",
        "HTTPS://NEWS.EXAMPLE.ORG/acme/storing",
        "https://news.example.org/acme/storing/",
        "https://news.example.org/acme/storing#reacties",
        "https://news.example.org:443/acme/storing",
        "https://www.news.example.org/acme/storing",
        "https://news.example.org/acme/storing?utm_source=twitter&utm_medium=social",
        "https://news.example.org/acme/storing?UTM_Campaign=x&fbclid=abc&gclid=def",
        "https://news.example.org/acme/storing?mc_cid=1&mc_eid=2&igshid=3&ocid=4",
        "  https://news.example.org/acme/storing  ",
    ],
)
def test_links_to_the_same_article_share_one_canonical_url(variant: str) -> None:
    assert canonical_url(variant) == "https://news.example.org/acme/storing"


def test_the_path_keeps_its_case() -> None:
    assert canonical_url("https://Example.org/Acme/Storing") == "https://example.org/Acme/Storing"


def test_query_parameters_that_identify_content_are_kept_in_a_stable_order() -> None:
    assert canonical_url("https://example.org/item?page=2&id=7&utm_source=x") == (
        "https://example.org/item?id=7&page=2"
    )
    assert canonical_url("https://example.org/item?id=7&page=2") == canonical_url(
        "https://example.org/item?page=2&id=7"
    )


def test_different_content_parameters_give_different_urls() -> None:
    assert canonical_url("https://example.org/item?id=7") != canonical_url(
        "https://example.org/item?id=8"
    )


def test_a_blank_parameter_is_kept() -> None:
    assert canonical_url("https://example.org/search?q=") == "https://example.org/search?q="


def test_an_empty_query_string_is_dropped() -> None:
    assert canonical_url("https://example.org/item?") == "https://example.org/item"


def test_a_parameter_that_merely_starts_like_a_tracking_one_is_kept() -> None:
    assert canonical_url("https://example.org/?utm=1&fbclid_note=2") == (
        "https://example.org/?fbclid_note=2&utm=1"
    )


def test_a_non_default_port_is_kept() -> None:
    assert canonical_url("https://example.org:8443/x") == "https://example.org:8443/x"
    assert canonical_url("http://example.org:8080/x") == "http://example.org:8080/x"


def test_a_port_is_default_only_for_its_own_scheme() -> None:
    assert canonical_url("http://example.org:80/x") == "http://example.org/x"
    assert canonical_url("http://example.org:443/x") == "http://example.org:443/x"
    assert canonical_url("https://example.org:80/x") == "https://example.org:80/x"


def test_http_and_https_stay_different() -> None:
    assert canonical_url("http://example.org/x") != canonical_url("https://example.org/x")


@pytest.mark.parametrize(
    "root",
    [
        "https://example.org",
        "https://example.org/",
        "https://example.org//",
        "https://example.org/#top",
    ],
)
def test_every_spelling_of_the_home_page_is_the_root(root: str) -> None:
    assert canonical_url(root) == "https://example.org/"


def test_only_a_leading_www_label_is_dropped() -> None:
    assert canonical_url("https://wwwexample.org/") == "https://wwwexample.org/"
    assert canonical_url("https://news.www.example.org/") == "https://news.www.example.org/"


def test_user_credentials_never_reach_the_canonical_url() -> None:
    assert canonical_url("https://user:secret@Example.org/x") == "https://example.org/x"


def test_an_ipv6_host_keeps_its_brackets_and_port() -> None:
    assert canonical_url("http://[2001:DB8::1]:8080/feed") == "http://[2001:db8::1]:8080/feed"
    assert canonical_url("http://[2001:db8::1]/feed") != canonical_url(
        "http://[2001:db8::1:8080]/feed"
    )


def test_a_malformed_port_does_not_raise() -> None:
    assert canonical_url("https://example.org:99999/x").startswith("https://example.org")


# --- content fingerprints -------------------------------------------------------------------------


def test_the_content_hash_ignores_case_accents_punctuation_and_spacing() -> None:
    original = content_hash("Storing bij Stroomlijn!", "Geen stroom in café Zuid...")
    assert content_hash("storing bij stroomlijn", "geen   stroom in CAFE zuid") == original
    assert content_hash("STORING, bij: Stroomlijn", "Geen\nstroom\tin cafe - Zuid") == original


def test_the_content_hash_changes_with_the_words() -> None:
    assert content_hash("Storing", "bij Stroomlijn") != content_hash("Storing", "bij Acme")


def test_the_content_hash_does_not_care_where_the_title_ends() -> None:
    assert content_hash("Storing bij", "Stroomlijn") == content_hash("Storing", "bij Stroomlijn")


def test_the_content_hash_is_a_hex_sha256() -> None:
    digest = content_hash("a", "b")
    assert len(digest) == 64
    assert int(digest, 16) >= 0


# --- dedup keys -----------------------------------------------------------------------------------

FINGERPRINT = content_hash("Storing", "bij Stroomlijn")


def key(**overrides: object) -> str:
    arguments: dict[str, object] = {
        "url": "https://news.example.org/acme/storing",
        "source_item_id": "guid-1",
        "source": "news",
        "fingerprint": FINGERPRINT,
    }
    arguments.update(overrides)
    return dedup_key(**arguments)  # type: ignore[arg-type]


def test_the_url_decides_the_key_when_there_is_one() -> None:
    assert key() == key(source_item_id="guid-2", source="other", fingerprint="x")


def test_links_to_the_same_article_give_the_same_key() -> None:
    assert key(url="https://www.news.example.org/acme/storing/?utm_source=x#top") == key()


def test_different_urls_give_different_keys_even_with_the_same_text() -> None:
    assert key(url="https://news.example.org/acme/other") != key()


def test_without_a_url_the_id_within_the_source_decides() -> None:
    assert key(url=None) == key(url=None, fingerprint="different text")
    assert key(url=None) != key(url=None, source_item_id="guid-2")


def test_the_same_id_in_two_sources_is_two_items() -> None:
    assert key(url=None, source="news") != key(url=None, source="forum")


def test_without_url_or_id_the_text_decides() -> None:
    assert key(url=None, source_item_id=None) == key(url="", source_item_id="", source="other")
    assert key(url=None, source_item_id=None) != key(
        url=None, source_item_id=None, fingerprint=content_hash("Other", "text")
    )


def test_a_url_shared_by_many_items_falls_back_to_the_id() -> None:
    shared = "https://forum.example.org/"
    first = key(url=shared, source_item_id="post-1", url_is_unique=False)
    second = key(url=shared, source_item_id="post-2", url_is_unique=False)
    assert first != second
    assert first == key(url=None, source_item_id="post-1")


def test_a_url_shared_by_many_items_without_ids_falls_back_to_the_text() -> None:
    shared = "https://forum.example.org/"
    assert key(url=shared, source_item_id=None, url_is_unique=False) == key(
        url=None, source_item_id=None
    )


def test_url_id_and_text_keys_never_collide() -> None:
    value = "https://news.example.org/x"
    by_url = key(url=value)
    by_id = key(url=None, source_item_id=value)
    by_text = key(url=None, source_item_id=None, fingerprint=value)
    assert len({by_url, by_id, by_text}) == 3
