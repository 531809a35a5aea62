"""In real Chromium, as an agent would: log in, find the routed item, work it, and see that a
hostile feed item executes nothing."""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect, sync_playwright
from waitress import create_server

from monitor.config import Settings
from monitor.sources.base import Item
from monitor.store.db import Database
from monitor.store.users import add_user
from tests.conftest import IN_CI
from tests.webui.conftest import PASSWORD, collect

pytestmark = pytest.mark.browser
CHROMIUM = os.environ.get("WEBCARE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        reason = f"Chromium not found at {CHROMIUM} (install Debian's chromium package)"
        if IN_CI:
            pytest.fail(f"{reason}; under CI=true the browser tests must run")
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture
def base_url(app: Flask) -> Iterator[str]:
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


@pytest.fixture
def page(chromium_path: str, tmp_path: Path) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        tab = context.new_page()
        dialogs: list[str] = []
        tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        setattr(tab, "dialogs", dialogs)  # noqa: B010 - read back by the tests
        yield tab
        browser.close()


def _log_in(page: Page, base_url: str, name: str) -> None:
    page.goto(base_url + "/")
    page.fill("#username", name)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_agent_logs_in_and_resolves_a_routed_mention(page: Page, base_url: str) -> None:
    _log_in(page, base_url, "anne")
    expect(page).to_have_url(base_url + "/queue/webcare")
    row = page.locator("tr", has_text="adres wijzigen")
    expect(row).to_contain_text("Question")
    row.locator("a").first.click()
    expect(page.locator("mark").first).to_have_text("Stroomlijn")
    page.click("button[value=resolved]")
    expect(page.locator(".flash")).to_have_text("Status set to resolved.")
    expect(page.locator(".history")).to_contain_text("changed the status from new to resolved")
    page.click("text=← Webcare queue")
    expect(page.locator("tr", has_text="adres wijzigen")).to_have_count(0)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_hostile_feed_item_executes_nothing(page: Page, base_url: str) -> None:
    _log_in(page, base_url, "admin")
    for team in ("webcare", "customer_service", "spokesperson"):
        page.goto(f"{base_url}/queue/{team}")
        link = page.locator("td.summary a", has_text="window.__pwned")
        if link.count():
            break
    link.first.click()
    expect(page.locator("h1")).to_contain_text("<script>window.__pwned = 1</script>")
    assert page.evaluate("window.__pwned === undefined")
    assert page.locator("article img").count() == 0
    assert getattr(page, "dialogs") == []  # noqa: B009


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_reporter_is_kept_out_of_the_queue(page: Page, base_url: str) -> None:
    _log_in(page, base_url, "rita")
    expect(page.locator("h1")).to_have_text("Forward to webcare")
    page.goto(base_url + "/queue/webcare")
    expect(page.locator("h1")).to_have_text("Not allowed")
    expect(page.locator("main")).to_contain_text("may forward items")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_draft_query_is_tried_and_judged_in_the_query_tester(page: Page, base_url: str) -> None:
    _log_in(page, base_url, "anne")
    page.click("text=Query tester")
    page.fill("#q", "stroomlijn NEAR/6 stroom")
    page.click("button:has-text('Test')")
    expect(page.locator("h2").first).to_have_text("1 hit")
    expect(page.locator("table.hits mark")).to_have_text(["stroom", "Stroomlijn"])
    page.fill("#q", "stroomlijn OR adres")
    page.click("button:has-text('Test')")
    rows = page.locator("table.hits tbody tr")
    expect(rows.first).to_be_visible()
    rows.nth(0).locator("input[value=right]").check()
    rows.nth(1).locator("input[value=wrong]").check()
    page.click("button:has-text('Estimate precision')")
    expect(page.locator("#estimate")).to_contain_text("Precision 50% (1 of 2 judged hits right")
    page.fill("#q", "(stroomlijn")
    page.click("button:has-text('Test')")
    expect(page.locator(".flash.error")).to_contain_text("missing ')' for the '(' opened")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_relabel_flows_into_a_new_model_version_with_its_reason(
    page: Page, base_url: str
) -> None:
    _log_in(page, base_url, "admin")
    page.goto(base_url + "/queue/webcare")
    page.locator("tr", has_text="adres wijzigen").locator("a").first.click()
    page.select_option("#category", "complaint")
    page.click("button:has-text('Relabel / confirm')")
    expect(page.locator(".flash")).to_contain_text("Relabelled as complaint")
    page.click("text=Models")
    before = page.locator("table.models tbody tr").count()
    page.click("button:has-text('Train a new version now')")
    expect(page.locator(".flash")).to_contain_text("too few to compare on")
    expect(page.locator("table.models tbody tr")).to_have_count(before + 1)
    expect(page.locator("table.models")).to_contain_text("human-labelled mentions")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_second_agent_sees_who_took_an_item_and_is_told_in_a_note(
    page: Page, base_url: str, db: Database
) -> None:
    with db.write() as session:
        add_user(session, "bram", role="agent", teams=["webcare"], password=PASSWORD)
    _log_in(page, base_url, "anne")
    page.locator("tr", has_text="adres wijzigen").locator("a").first.click()
    page.click("button[data-action=claim]")
    expect(page.locator("#ownership")).to_contain_text("You are working on this")
    page.fill("#note-body", "@bram de klant belt vanmiddag terug")
    page.click("button:has-text('Add note')")
    expect(page.locator(".flash")).to_contain_text("It mentions bram.")

    other = page.context.browser.new_context().new_page()  # type: ignore[union-attr]
    _log_in(other, base_url, "bram")
    row = other.locator("tr", has_text="adres wijzigen")
    expect(row.locator(".owner")).to_have_text("anne is working on this")
    row.locator("a").first.click()
    expect(other.locator("#ownership")).to_contain_text("anne is working on this")
    expect(other.locator(".notes-list .at")).to_have_text("@bram")
    expect(other.locator(".history")).to_contain_text("added a note for bram")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_item_is_worked_from_new_to_resolved_by_keyboard(page: Page, base_url: str) -> None:
    _log_in(page, base_url, "anne")
    expect(page).to_have_url(base_url + "/queue/webcare")
    page.keyboard.press("?")
    expect(page.locator("#keys-help")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#keys-help")).to_be_hidden()
    rows = page.locator("table.queue tbody tr")
    index = next(i for i in range(rows.count()) if "adres wijzigen" in rows.nth(i).inner_text())
    for _ in range(index + 1):
        page.keyboard.press("j")
    row = rows.nth(index)
    expect(row).to_have_class(re.compile(r"\bfocused\b"))
    page.keyboard.press("a")
    expect(row.locator(".status")).to_have_text("assigned · yours")
    page.keyboard.press("e")
    expect(row.locator(".status")).to_have_text("resolved")
    page.reload()
    expect(page.locator("tr", has_text="adres wijzigen")).to_have_count(0)
    page.goto(base_url + "/queue/webcare?status=resolved")
    page.locator("tr", has_text="adres wijzigen").locator("a").first.click()
    history = page.locator(".history")
    expect(history).to_contain_text("took it")
    expect(history).to_contain_text("changed the status from assigned to resolved")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_selection_is_dismissed_in_bulk(page: Page, base_url: str) -> None:
    _log_in(page, base_url, "admin")
    page.goto(base_url + "/queue/webcare")
    rows = page.locator("table.queue tbody tr")
    before = rows.count()
    assert before >= 2
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator("input[name=ids]:checked")).to_have_count(2)
    page.select_option("#bulk-action", "dismissed")
    page.click("#bulk-apply")
    expect(page.locator(".flash")).to_have_text("2 mentions dismissed.")
    expect(rows).to_have_count(before - 2)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_new_mentions_appear_without_a_reload(
    page: Page, base_url: str, app: Flask, db: Database, settings: Settings
) -> None:
    app.config["LIVE_POLL_MS"] = 300
    _log_in(page, base_url, "anne")
    expect(page).to_have_url(base_url + "/queue/webcare")
    page.evaluate("window.__sameDocument = true")
    count = page.locator('[data-team-count="webcare"]')
    before = int(count.inner_text())
    page.keyboard.press("j")
    focused = page.locator("tr.focused").get_attribute("data-mention-id")
    text = "Stroomlijn, hoe zeg ik mijn contract op als ik verhuis?"
    collect(db, settings, Item("q9", "https://social.example/q9", "", text))
    fresh = page.locator("tr.fresh", has_text="contract op")
    expect(fresh).to_have_count(1)
    expect(count).to_have_text(str(before + 1))
    assert page.evaluate("window.__sameDocument") is True  # no reload
    # The focused row is still the one the agent was on; j moves on from there.
    assert page.locator("tr.focused").get_attribute("data-mention-id") == focused


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_agent_who_chooses_dutch_works_the_queue_in_dutch(page: Page, base_url: str) -> None:
    _log_in(page, base_url, "anne")
    page.goto(base_url + "/account")
    page.select_option("#language", "nl")
    page.click("form.person button[type=submit]")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.goto(base_url + "/queue/webcare")
    nav = page.locator("nav.teams")
    for word in ("Klantenservice", "Woordvoering", "Te beoordelen", "Bronnen", "Doorsturen"):
        expect(nav).to_contain_text(word)
    expect(page.locator("button", has_text="Uitloggen")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("berichten")
    page.keyboard.press("?")
    expect(page.locator("#keys-help")).to_contain_text("volgend / vorig bericht")
    page.keyboard.press("Escape")
    rows = page.locator("table.queue tbody tr")
    index = next(i for i in range(rows.count()) if "adres wijzigen" in rows.nth(i).inner_text())
    row = rows.nth(index)
    expect(row).to_contain_text("Vraag")
    for _ in range(index + 1):
        page.keyboard.press("j")
    # The script's own words follow the page's language too.
    page.keyboard.press("a")
    expect(row.locator(".status")).to_have_text("toegewezen · van jou")
    row.locator("a").first.click()
    expect(page.locator(".history")).to_contain_text("pakte het op")
    page.click("button[value=resolved]")
    expect(page.locator(".flash")).to_have_text("Status gezet op afgehandeld.")
    history = page.locator(".history")
    expect(history).to_contain_text("zette de status van toegewezen op afgehandeld")
    page.goto(base_url + "/dashboard")
    expect(page.locator("h1")).to_contain_text("in de laatste 14 dagen")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_admin_adds_a_source_on_the_sources_page(page: Page, base_url: str) -> None:
    _log_in(page, base_url, "admin")
    page.goto(base_url + "/sources")
    form = page.locator("#add-source form")
    form.locator("input[name=name]").fill("forum")
    form.locator("input[name=url]").fill("https://forum.example/feed.xml")
    form.locator("input[name=interval]").fill("soon")
    form.locator("button[type=submit]").click()
    expect(page.locator(".flash")).to_contain_text("interval: expected a duration")
    form = page.locator("#add-source form")
    expect(form.locator("input[name=url]")).to_have_value("https://forum.example/feed.xml")
    form.locator("input[name=interval]").fill("10m")
    form.locator("button[type=submit]").click()
    expect(page.locator(".flash")).to_have_text(
        "forum is added and will be checked within a few seconds."
    )
    row = page.locator("tr", has_text="added on this page")
    expect(row).to_contain_text("forum")
    expect(row).to_contain_text("every 10 min")
