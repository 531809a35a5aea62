"""YouTube: channel and playlist pages become their Atom feed; a video's description is its text."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from monitor.config import settings_from_mapping
from monitor.errors import ConfigError
from monitor.fetch import Fetcher, FetchPolicy
from monitor.sources import adapter_for
from monitor.sources.base import CollectContext, Item, SourceRequest
from monitor.sources.feed import read_feed
from monitor.sources.youtube import feed_url
from tests.conftest import FeedServer

FIXTURES = Path(__file__).parent / "fixtures" / "youtube"
CHANNEL_FEED = (FIXTURES / "channel.xml").read_bytes()
PLAYLIST_FEED = (FIXTURES / "playlist.xml").read_bytes()
ATOM = "text/xml; charset=UTF-8"
CHANNEL = "UCq3x7AcmeBankNLr9Zt5Kw2"
PLAYLIST = "PLk2AcmeReviews0x9fQzT1mB4"


@pytest.fixture
def context() -> Iterator[CollectContext]:
    fetcher = Fetcher(FetchPolicy(allow_private_addresses=True))
    yield CollectContext(fetcher=fetcher, read_feed=read_feed)
    fetcher.close()


def request(url: str) -> SourceRequest:
    return SourceRequest(name="youtube-acme", type="youtube", url=url)


def config_error(**source: Any) -> str:
    with pytest.raises(ConfigError) as caught:
        settings_from_mapping({"sources": [{"name": "youtube-acme", "type": "youtube", **source}]})
    return str(caught.value).removeprefix("<config>: ")


# --- which feed a URL means ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            f"https://www.youtube.com/channel/{CHANNEL}",
            f"https://www.youtube.com/feeds/videos.xml?channel_id={CHANNEL}",
        ),
        (
            f"https://m.youtube.com/channel/{CHANNEL}/videos/",
            f"https://www.youtube.com/feeds/videos.xml?channel_id={CHANNEL}",
        ),
        (
            f"https://www.youtube.com/playlist?list={PLAYLIST}",
            f"https://www.youtube.com/feeds/videos.xml?playlist_id={PLAYLIST}",
        ),
        (
            f"https://www.youtube.com/watch?v=Qm7rT2wYb8c&list={PLAYLIST}&index=3",
            f"https://www.youtube.com/feeds/videos.xml?playlist_id={PLAYLIST}",
        ),
        (
            "https://www.youtube.com/user/ConsumentenTV",
            "https://www.youtube.com/feeds/videos.xml?user=ConsumentenTV",
        ),
        (
            f"https://www.youtube.com/feeds/videos.xml?channel_id={CHANNEL}",
            f"https://www.youtube.com/feeds/videos.xml?channel_id={CHANNEL}",
        ),
        (
            f"https://www.youtube.com/feeds/videos.xml?playlist_id={PLAYLIST}",
            f"https://www.youtube.com/feeds/videos.xml?playlist_id={PLAYLIST}",
        ),
    ],
)
def test_a_channel_playlist_or_feed_url_names_one_atom_feed(url: str, expected: str) -> None:
    assert feed_url(url) == expected
    assert feed_url(expected) == expected  # what it fetches is accepted back as is


def test_a_channel_url_is_valid_config() -> None:
    settings = settings_from_mapping(
        {
            "sources": [
                {
                    "name": "youtube-acme",
                    "type": "youtube",
                    "url": f"https://www.youtube.com/channel/{CHANNEL}",
                }
            ]
        }
    )
    assert settings.sources[0].url == f"https://www.youtube.com/channel/{CHANNEL}"


@pytest.mark.parametrize(
    "url", ["https://www.youtube.com/@AcmeBankNL", "https://www.youtube.com/@AcmeBankNL/videos"]
)
def test_a_handle_url_is_refused_with_how_to_find_the_channel_id(url: str) -> None:
    message = config_error(url=url)
    assert message.startswith(
        "sources[0].url: a @handle URL cannot be turned into a channel id without scraping"
    )
    assert "Copy channel ID" in message
    assert "https://www.youtube.com/channel/" in message


def test_a_custom_c_url_is_refused_like_a_handle() -> None:
    message = config_error(url="https://www.youtube.com/c/AcmeBank")
    assert message.startswith("sources[0].url: a /c/ URL cannot be turned into a channel id")


def test_a_search_is_refused_because_youtube_has_no_search_feed() -> None:
    message = config_error(url=f"https://www.youtube.com/channel/{CHANNEL}", search="acme bank")
    assert message.startswith("sources[0].search: YouTube has no public search feed")


def test_a_search_results_page_is_refused_because_youtube_has_no_search_feed() -> None:
    message = config_error(url="https://www.youtube.com/results?search_query=acme+bank")
    assert message.startswith("sources[0].url: YouTube has no public search feed")


def test_a_youtube_source_needs_a_url() -> None:
    assert config_error() == "sources[0].url: required for sources of type 'youtube'"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "https://www.youtube.com/channel/AcmeBank",
            "sources[0].url: 'AcmeBank' is not a channel id (UC and 22 characters)",
        ),
        (
            "https://www.youtube.com/feeds/videos.xml?channel_id=UC123",
            "sources[0].url: channel_id='UC123' is not a valid YouTube channel_id",
        ),
        (
            "https://www.youtube.com/feeds/videos.xml",
            "sources[0].url: expected a channel URL (https://www.youtube.com/channel/UC...), a "
            "playlist URL (https://www.youtube.com/playlist?list=...) or a feed URL "
            "(https://www.youtube.com/feeds/videos.xml?channel_id=...); this feed URL names no "
            "channel_id or playlist_id",
        ),
        (
            "https://youtu.be/Qm7rT2wYb8c",
            "sources[0].url: expected a channel URL (https://www.youtube.com/channel/UC...), a "
            "playlist URL (https://www.youtube.com/playlist?list=...) or a feed URL "
            "(https://www.youtube.com/feeds/videos.xml?channel_id=...), got "
            "'https://youtu.be/Qm7rT2wYb8c'",
        ),
    ],
)
def test_a_url_that_names_no_channel_or_playlist_is_refused(url: str, message: str) -> None:
    assert config_error(url=url) == message


# --- collecting ---------------------------------------------------------------------------------


def test_a_channels_videos_become_items_with_their_description_as_text(
    feed_server: FeedServer, context: CollectContext
) -> None:
    feed_server.serve(f"/feeds/videos.xml?channel_id={CHANNEL}", CHANNEL_FEED, content_type=ATOM)
    first, second = (
        adapter_for("youtube")
        .collect(request(f"{feed_server.base_url}/channel/{CHANNEL}"), context)
        .items
    )
    assert first == Item(
        source_item_id="yt:video:dQ4vB7nKx2E",
        url="https://www.youtube.com/watch?v=dQ4vB7nKx2E",
        title="Wij testen de klantenservice van 5 banken | Acme Bank valt tegen",
        text="We belden, chatten en mailden met vijf banken. Bij Acme Bank wachtten we 52 minuten "
        "& kregen we twee verschillende antwoorden.\n\nHoofdstukken:\n00:00 Intro\n"
        "03:12 Acme Bank\n09:40 Conclusie",
        author="Consumentenkanaal",
        published_at=datetime(2024, 5, 6, 15, 0, 7, tzinfo=UTC),
    )
    # A video without a description still has its title.
    assert (second.title, second.text) == (
        "Zo zeg je je bankrekening op (en neem je je nummer mee)",
        "",
    )


def test_a_playlists_videos_become_items(feed_server: FeedServer, context: CollectContext) -> None:
    feed_server.serve(f"/feeds/videos.xml?playlist_id={PLAYLIST}", PLAYLIST_FEED, content_type=ATOM)
    [item] = (
        adapter_for("youtube")
        .collect(request(f"{feed_server.base_url}/playlist?list={PLAYLIST}"), context)
        .items
    )
    assert item.title == "Acme Bank app review: great budgeting, awful support"
    assert item.text == (
        "I used the Acme Bank app for three months. Budgeting: 9/10. Getting a human on the "
        "phone: 2/10."
    )
    assert item.author == "Fintech Reviews"
