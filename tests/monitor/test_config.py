"""Configuration: the shipped file loads; every mistake is named by file, key and expectation."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from monitor.config import (
    Settings,
    load_settings,
    normalise_database_url,
    parse_duration,
    settings_from_mapping,
)
from monitor.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "config" / "webcare.toml"

MINIMAL = """
[[brands]]
name = "Acme"
query = 'acme OR "acme bank" NOT "acme corp"'

[[sources]]
name = "acme-news"
url = "https://news.example.org/acme.rss"
"""


def write(tmp_path: Path, text: str, name: str = "webcare.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def config_error(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={})
    message = str(caught.value)
    assert message.startswith(f"{path}: "), message
    return message.removeprefix(f"{path}: ")


def mapping_error(data: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as caught:
        settings_from_mapping(data, origin="site.toml")
    message = str(caught.value)
    assert message.startswith("site.toml: "), message
    return message.removeprefix("site.toml: ")


def source(**keys: Any) -> dict[str, Any]:
    return {"name": "acme-news", "url": "https://news.example.org/acme.rss", **keys}


BRANDS = [{"name": "Acme", "query": "acme"}]


# --- the shipped file ----------------------------------------------------------------------------


def test_the_shipped_configuration_loads() -> None:
    settings = load_settings(SHIPPED, env={})
    assert settings.config_path == str(SHIPPED)
    assert settings.config_dir == SHIPPED.parent
    assert [b.name for b in settings.brands] == ["Stroomlijn Energie"]
    assert {s.name for s in settings.sources} == {
        "demo-news",
        "demo-forum",
        "demo-social",
        "demo-reviews",
    }
    assert all(s.interval == 15.0 and s.allow_private_addresses for s in settings.sources)
    assert settings.fetch.allow_private_addresses is False
    assert settings.web.session_timeout == 8 * 3600
    assert settings.demo.new_item_every == 8.0
    assert settings.routing.team_for("journalist_inquiry")[0] == "spokesperson"
    assert settings.routing.team_for("complaint")[0] == "customer_service"


def test_the_config_file_is_found_through_webcare_config(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL, "elsewhere.toml")
    settings = load_settings(None, env={"WEBCARE_CONFIG": str(path)})
    assert settings.config_path == str(path)
    assert settings.sources[0].name == "acme-news"


def test_an_explicit_path_wins_over_webcare_config(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL)
    settings = load_settings(path, env={"WEBCARE_CONFIG": str(tmp_path / "missing.toml")})
    assert settings.config_path == str(path)


def test_an_empty_file_gives_the_documented_defaults(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, ""), env={})
    assert settings.database.url == "sqlite:///instance/webcare.db"
    assert settings.fetch.allow_private_addresses is False
    assert settings.fetch.max_redirects == 5
    assert settings.routing.question == "webcare"
    assert settings.brands == ()
    assert settings.sources == ()


def test_a_source_gets_defaults_for_the_keys_it_leaves_out(tmp_path: Path) -> None:
    [news] = load_settings(write(tmp_path, MINIMAL), env={}).sources
    assert news.type == "rss"
    assert news.interval == 300.0
    assert news.enabled is True
    assert news.brands is None
    assert news.allow_private_addresses is None


def test_settings_are_frozen(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, MINIMAL), env={})
    with pytest.raises(ValueError, match="frozen"):
        settings.fetch.max_bytes = 1  # type: ignore[misc]


def test_a_source_is_found_by_name(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, MINIMAL), env={})
    found = settings.source("acme-news")
    assert found is not None
    assert found.url == "https://news.example.org/acme.rss"
    assert settings.source("nope") is None


# --- durations -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("30s", 30.0),
        ("5m", 300.0),
        ("1h", 3600.0),
        ("1h30m", 5400.0),
        ("2d", 172800.0),
        ("1w", 604800.0),
        ("250ms", 0.25),
        ("1.5h", 5400.0),
        (" 1h 30m ", 5400.0),
        ("5M", 300.0),
        ("1m30s", 90.0),
        (90, 90.0),
        (0.5, 0.5),
    ],
)
def test_a_duration_is_read_as_seconds(value: object, seconds: float) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "expected a duration such as"),
        ("5", "expected a duration such as"),
        ("5 minutes", "expected a duration such as"),
        ("m5", "expected a duration such as"),
        ("-5m", "expected a duration such as"),
        ("5m junk", "expected a duration such as"),
        ("0s", "expected a duration greater than zero"),
        (0, "expected a duration greater than zero"),
        (-5, "expected a duration greater than zero"),
        (True, "expected a duration such as"),
        (None, "expected a duration such as"),
        (["5m"], "expected a duration such as"),
        (math.nan, "expected a finite duration"),
        (math.inf, "expected a finite duration"),
    ],
)
def test_a_bad_duration_is_refused_with_an_example_of_a_good_one(
    value: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        parse_duration(value)


def test_a_bad_duration_in_the_file_names_the_key(tmp_path: Path) -> None:
    message = config_error(tmp_path, MINIMAL + 'interval = "5 minutes"\n')
    assert message == (
        'sources[0].interval: expected a duration such as "30s", "5m" or "1h", got \'5 minutes\''
    )


def test_a_nan_duration_in_the_file_is_refused(tmp_path: Path) -> None:
    message = config_error(tmp_path, "[scheduler]\ntick = nan\n")
    assert message.startswith("scheduler.tick: expected a finite duration")


# --- errors name file, key and expectation -------------------------------------------------------


def test_a_missing_file_says_how_to_point_at_one(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError) as caught:
        load_settings(missing, env={})
    assert str(caught.value) == (
        f"{missing}: configuration file not found (give --config PATH or set WEBCARE_CONFIG)"
    )


def test_a_directory_instead_of_a_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the configuration file"):
        load_settings(tmp_path, env={})


def test_invalid_toml_names_the_file_and_the_line(tmp_path: Path) -> None:
    message = config_error(tmp_path, "[web]\nport = = 8080\n")
    assert message.startswith("not valid TOML: ")
    assert "line 2" in message


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('[web]\nhost = "café"\n'.encode("latin-1"))
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={})
    assert str(caught.value) == f"{path}: the configuration file is not UTF-8 text"


def test_an_unknown_key_is_named_with_its_section(tmp_path: Path) -> None:
    assert config_error(tmp_path, "[web]\ncolour = 'blue'\n") == (
        "web.colour: unknown key (check its spelling)"
    )


def test_an_unknown_section_is_named(tmp_path: Path) -> None:
    assert config_error(tmp_path, "[webb]\nport = 1\n") == "webb: unknown key (check its spelling)"


def test_an_unknown_key_in_a_source_names_the_source_by_index(tmp_path: Path) -> None:
    assert config_error(tmp_path, MINIMAL + "intervall = '5m'\n") == (
        "sources[0].intervall: unknown key (check its spelling)"
    )


def test_a_value_of_the_wrong_type_says_what_is_expected(tmp_path: Path) -> None:
    assert config_error(tmp_path, "[web]\nport = 'eighty'\n") == (
        "web.port: expected a valid integer, unable to parse string as an integer"
    )


def test_a_number_out_of_range_says_the_bound(tmp_path: Path) -> None:
    assert config_error(tmp_path, "[web]\nport = 70000\n") == (
        "web.port: expected less than or equal to 65535"
    )


def test_a_list_where_a_table_list_is_expected_is_refused(tmp_path: Path) -> None:
    message = config_error(tmp_path, "sources = 'https://example.org/feed'\n")
    assert message == "sources: expected a valid tuple"


def test_several_problems_are_counted_after_the_first(tmp_path: Path) -> None:
    message = config_error(tmp_path, "[web]\nport = 'x'\nthreads = 0\ncolour = 1\n")
    assert message.startswith("web.port: ")
    assert message.endswith("(and 2 more problem(s))")


@pytest.mark.parametrize("url", ["ftp://example.org/feed", "example.org/feed", "http:///feed"])
def test_a_source_url_must_be_http_or_https(url: str) -> None:
    assert mapping_error({"sources": [source(url=url)]}) == (
        f"sources[0].url: expected an http:// or https:// URL, got {url!r}"
    )


def test_an_unknown_source_type_lists_the_known_ones() -> None:
    message = mapping_error({"sources": [source(type="twitter")]})
    assert message.startswith("sources[0].type: expected 'rss', 'google_news', ")
    assert message.endswith(" or 'imap', got 'twitter'")


def test_a_source_name_with_spaces_is_refused() -> None:
    assert mapping_error({"sources": [source(name="acme news")]}).startswith("sources[0].name: ")


def test_an_unknown_routing_team_lists_the_teams() -> None:
    assert mapping_error({"routing": {"complaint": "sales"}}) == (
        "routing.complaint: expected 'webcare', 'customer_service' or 'spokesperson', got 'sales'"
    )


def test_an_unknown_routing_category_is_an_unknown_key() -> None:
    assert mapping_error({"routing": {"spam": "webcare"}}) == (
        "routing.spam: unknown key (check its spelling)"
    )


def test_an_alert_for_an_unknown_category_lists_the_categories() -> None:
    assert mapping_error({"alerts": [{"category": "spam", "notify": ["json://h/x"]}]}) == (
        "alerts[0].category: expected 'complaint', 'question', 'journalist_inquiry', "
        "'praise' or 'other', got 'spam'"
    )


def test_two_sources_with_one_name_are_refused() -> None:
    message = mapping_error({"sources": [source(), source(url="https://other.example.org/")]})
    assert message == "sources[1].name: 'acme-news' is used twice; names must be unique"


def test_two_brands_with_one_name_are_refused() -> None:
    assert mapping_error({"brands": BRANDS + BRANDS}) == (
        "brands[1].name: 'Acme' is used twice; names must be unique"
    )


def test_a_source_naming_an_unknown_brand_lists_the_known_ones() -> None:
    message = mapping_error({"brands": BRANDS, "sources": [source(brands=["Acme", "Acne"])]})
    assert message == "sources[0].brands: unknown brand 'Acne'; expected one of ['Acme']"


def test_a_source_may_limit_itself_to_known_brands() -> None:
    settings = settings_from_mapping({"brands": BRANDS, "sources": [source(brands=["Acme"])]})
    assert settings.sources[0].brands == ("Acme",)


def test_a_brand_query_that_does_not_parse_points_at_the_column(tmp_path: Path) -> None:
    text = '[[brands]]\nname = "Acme"\nquery = \'acme OR "acme bank\'\n'
    assert config_error(tmp_path, text) == (
        "brands[0].query: the query does not parse: unclosed quote at column 9"
    )


def test_a_brand_without_a_query_is_missing_a_required_key() -> None:
    assert mapping_error({"brands": [{"name": "Acme"}]}) == (
        "brands[0].query: required key is missing"
    )


def test_a_database_url_of_an_unsupported_kind_is_refused() -> None:
    assert mapping_error({"database": {"url": "mysql://db/webcare"}}) == (
        "database.url: expected a sqlite:/// or postgresql:// URL, got 'mysql://db/webcare'"
    )


def test_a_language_must_be_a_two_letter_code() -> None:
    assert mapping_error({"classifier": {"languages": ["dutch"]}}) == (
        "classifier.languages: expected two-letter language codes such as \"nl\", got 'dutch'"
    )


def test_a_header_value_must_be_text() -> None:
    assert mapping_error({"sources": [source(headers={"X-Token": 1})]}) == (
        "sources[0].headers.X-Token: expected a valid string"
    )


# --- database URL ---------------------------------------------------------------------------------


def test_webcare_database_url_overrides_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[database]\nurl = "sqlite:///from-file.db"\n')
    settings = load_settings(path, env={"WEBCARE_DATABASE_URL": "sqlite:///from-env.db"})
    assert settings.database.url == "sqlite:///from-env.db"


def test_webcare_database_url_applies_when_the_file_has_no_database_section(
    tmp_path: Path,
) -> None:
    settings = load_settings(
        write(tmp_path, MINIMAL), env={"WEBCARE_DATABASE_URL": "sqlite:///env.db"}
    )
    assert settings.database.url == "sqlite:///env.db"


def test_an_empty_webcare_database_url_is_ignored(tmp_path: Path) -> None:
    path = write(tmp_path, '[database]\nurl = "sqlite:///from-file.db"\n')
    settings = load_settings(path, env={"WEBCARE_DATABASE_URL": ""})
    assert settings.database.url == "sqlite:///from-file.db"


def test_a_bad_webcare_database_url_is_reported_as_the_database_url(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={"WEBCARE_DATABASE_URL": "mysql://db/x"})
    assert str(caught.value) == (
        f"{path}: database.url: expected a sqlite:/// or postgresql:// URL, got 'mysql://db/x'"
    )


def test_a_database_key_that_is_not_a_table_is_reported_even_with_the_override(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, 'database = "sqlite:///x.db"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={"WEBCARE_DATABASE_URL": "sqlite:///env.db"})
    assert str(caught.value).startswith(f"{path}: database: expected a valid dictionary")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://webcare@db:5432/webcare", "postgresql+psycopg://webcare@db:5432/webcare"),
        ("postgres://webcare@db/webcare", "postgresql+psycopg://webcare@db/webcare"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:///instance/webcare.db", "sqlite:///instance/webcare.db"),
    ],
)
def test_a_plain_postgresql_url_uses_the_bundled_driver(url: str, expected: str) -> None:
    assert normalise_database_url(url) == expected
    assert settings_from_mapping({"database": {"url": url}}).database.url == expected


def test_a_postgresql_url_from_the_environment_uses_the_bundled_driver(tmp_path: Path) -> None:
    settings = load_settings(
        write(tmp_path, ""), env={"WEBCARE_DATABASE_URL": "postgresql://u@127.0.0.1:5432/w"}
    )
    assert settings.database.url == "postgresql+psycopg://u@127.0.0.1:5432/w"


def test_settings_from_a_mapping_are_the_same_type_as_from_a_file() -> None:
    settings = settings_from_mapping({"brands": BRANDS}, origin="test")
    assert isinstance(settings, Settings)
    assert settings.config_path == "test"


def test_an_alert_target_that_is_neither_a_url_nor_a_known_kind_is_refused() -> None:
    message = mapping_error({"alerts": [{"notify": ["pr@example.org"]}]})
    assert message.startswith("alerts[0].notify[0]: expected an Apprise URL")
    assert "got 'pr@example.org'" in message


def test_an_alert_needs_somebody_to_notify() -> None:
    assert mapping_error({"alerts": [{"category": "complaint"}]}) == (
        "alerts[0].notify: required key is missing"
    )


def test_a_webhook_target_must_name_a_configured_webhook() -> None:
    assert mapping_error({"alerts": [{"notify": ["webhook:crm"]}]}) == (
        "alerts[0].notify[0]: no [[webhooks]] entry named 'crm'"
    )


def test_mail_targets_need_a_mail_server() -> None:
    assert mapping_error({"alerts": [{"notify": ["role:pr_officer"]}]}) == (
        "alerts[0].notify[0]: role: targets are sent by mail; set [mail] host"
    )
    message = mapping_error({"mail": {"host": "smtp.example.org"},
                             "alerts": [{"notify": ["role:press"]}]})  # fmt: skip
    assert message.startswith("alerts[0].notify[0]: unknown role 'press'; expected one of admin")


def test_quiet_hours_are_a_period_of_the_day() -> None:
    assert mapping_error({"alerting": {"quiet_hours": "22-7"}}) == (
        "alerting.quiet_hours: expected a period such as \"22:00-07:00\", got '22-7'"
    )


def test_an_alert_rule_for_an_unknown_source_is_refused() -> None:
    assert mapping_error({"alerts": [{"source": "twitter", "notify": ["json://h/x"]}]}) == (
        "alerts[0].source: unknown source 'twitter'"
    )


def test_a_spike_must_end_below_the_level_it_starts_at() -> None:
    assert mapping_error({"alerting": {"spike": {"margin": 1.5, "end_ratio": 2}}}) == (
        "alerting.spike.end_ratio: expected above 0 and below margin (1.5)"
    )


# --- reply snippets ------------------------------------------------------------------------------


def test_a_reply_snippet_fits_its_category_and_language_and_names_the_author() -> None:
    reply = {"name": "DM", "category": "complaint", "language": "nl",
             "text": "Hoi {author}, stuur ons een DM."}  # fmt: skip
    settings = settings_from_mapping({"replies": [reply]})
    [snippet] = settings.replies
    assert snippet.fits("complaint", "nl") and snippet.fits("complaint", None)
    assert not snippet.fits("complaint", "en") and not snippet.fits("question", "nl")
    assert snippet.render("@jan") == "Hoi @jan, stuur ons een DM."
    assert snippet.render("") == "Hoi, stuur ons een DM."


def test_a_reply_in_a_language_the_classifier_does_not_know_is_refused() -> None:
    message = mapping_error({"replies": [{"name": "x", "language": "de", "text": "Hallo"}]})
    assert "replies[0].language: 'de' is not one of the classifier's languages" in message
    empty = mapping_error({"replies": [{"name": "x", "text": ""}]})
    assert "replies[0].text: String should have at least 1 character" in empty
