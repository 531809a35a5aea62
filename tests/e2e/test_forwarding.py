"""In real Chromium, as an employee would: forward a post from the forward page, and from any
page with the bookmarklet; then webcare blocks a spammer from the mention page."""

from __future__ import annotations

import html
from collections.abc import Callable
from urllib.parse import unquote

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from monitor.config import Settings
from monitor.sources.base import Item
from monitor.store.db import Database
from monitor.store.models import Block, Forward, Mention
from tests.conftest import FeedServer
from tests.e2e.test_browser import _log_in, base_url, chromium_path, page
from tests.webui.conftest import collect

__all__ = ["base_url", "chromium_path", "page"]
pytestmark = pytest.mark.browser

FORUM_PAGE = """<!doctype html><html><head><title>Forum: energie</title></head><body>
<nav>Home · Forum · Inloggen</nav><article><h1>Stroomlijn reageert niet</h1>
<p id="post">Al twee weken wacht ik op een antwoord van Stroomlijn over mijn eindafrekening.
Dit is echt belachelijk, niemand neemt de telefoon op.</p>
<p>Reacties: 14</p></article></body></html>"""


@pytest.fixture
def settings(settings_for: Callable[..., Settings]) -> Settings:
    # The forum page is served on 127.0.0.1 by the test: the app may fetch it.
    return settings_for(
        [{"name": "social", "url": "https://social.example/feed"}],
        fetch={"allow_private_addresses": True},
    )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_employee_forwards_a_link_from_the_forward_page(
    page: Page, base_url: str, db: Database, feed_server: FeedServer
) -> None:
    url = feed_server.serve("/t/4211", FORUM_PAGE, content_type="text/html")
    _log_in(page, base_url, "rita")
    expect(page.locator("h1")).to_have_text("Forward to webcare")
    page.fill("#url", url)
    page.fill("#note", "Klant is erg boos")
    page.click("button:has-text('Send to webcare')")
    expect(page).to_have_url(base_url + "/forwards")
    expect(page.locator(".flash")).to_have_text("Thank you! Webcare has it now.")
    row = page.locator("table.forwards tbody tr")
    expect(row).to_contain_text("Stroomlijn reageert niet")
    expect(row).to_contain_text("Your note: Klant is erg boos")
    expect(row.locator(".forward-status")).to_have_text("waiting for webcare")
    with db.read() as session:
        mention = session.scalars(select(Mention).where(Mention.url == url)).one()
        assert "eindafrekening" in mention.text and "Inloggen" not in mention.text
        assert mention.team == "customer_service"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_bookmarklet_forwards_the_page_and_the_selected_words(
    page: Page, base_url: str, db: Database, feed_server: FeedServer
) -> None:
    url = feed_server.serve("/t/4211", FORUM_PAGE, content_type="text/html")
    _log_in(page, base_url, "rita")
    href = page.locator("#bookmarklet").get_attribute("href") or ""
    assert href.startswith("javascript:")
    script = unquote(html.unescape(href.removeprefix("javascript:")))
    page.goto(url)
    page.evaluate("window.getSelection().selectAllChildren(document.getElementById('post'))")
    with page.context.expect_page() as opened:
        page.evaluate(script)
    popup = opened.value
    popup.wait_for_load_state()
    expect(popup.locator("#url")).to_have_value(url)
    expect(popup.locator("#text")).to_have_value(
        "Al twee weken wacht ik op een antwoord van Stroomlijn over mijn eindafrekening. "
        "Dit is echt belachelijk, niemand neemt de telefoon op."
    )
    expect(popup.locator("main")).to_contain_text("Forum: energie")
    popup.click("button:has-text('Send to webcare')")
    expect(popup.locator(".flash").first).to_have_text("Thank you! Webcare has it now.")
    expect(popup.locator("[data-close-window]")).to_be_visible()
    with db.read() as session:
        forward = session.scalars(select(Forward)).one()
        assert (forward.forwarder, forward.channel, forward.url) == ("rita", "bookmarklet", url)
        assert forward.mention.text.startswith("Al twee weken wacht ik")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_agent_blocks_a_spammer_from_the_mention_page(
    page: Page, base_url: str, db: Database, settings: Settings
) -> None:
    collect(
        db,
        settings,
        Item("s1", "https://social.example/s1", "", "Stroomlijn gratis iPhone!", "@promo"),
        Item("s2", "https://social.example/s2", "", "Stroomlijn win een iPad", "@promo"),
    )
    _log_in(page, base_url, "admin")
    with db.read() as session:
        first = session.scalar(select(Mention.id).where(Mention.source_item_id == "s1"))
    page.goto(f"{base_url}/mentions/{first}")
    page.click("#keep-out summary")
    page.click("button[data-block=author]")
    expect(page.locator(".flash")).to_have_text(
        "Author “promo” is on the blocklist. 1 other new mention by it closed as spam."
    )
    expect(page.locator(".tags .status")).to_have_text("spam")
    page.goto(base_url + "/blocklist")
    expect(page.locator("table.blocks")).to_contain_text("promo")
    with db.read() as session:
        assert session.scalars(select(Block.value)).one() == "promo"
