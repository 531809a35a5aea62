"""Make the README's screenshots: the demo collected once, then the queue and the dashboard in
Chromium. Run `python docs/screenshots.py` (needs Debian's chromium).

The demo posts arrive within a minute; for a dashboard that shows a week, the script spreads
their times over the last seven days and has some of them answered and closed, as a team would.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "screenshots"
CHROMIUM = os.environ.get("WEBCARE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _config(folder: Path) -> Path:
    text = (REPO / "config" / "webcare.toml").read_text("utf-8")
    text = text.replace('data = "demo/mentions.jsonl"', f'data = "{REPO}/config/demo/mentions.jsonl"')
    text = text.replace("initial_items = 40", "initial_items = 90")
    text = re.sub(r'instance = "instance"', f'instance = "{folder}/instance"', text)
    path = folder / "webcare.toml"
    path.write_text(text, "utf-8")
    return path


def _webcare(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "monitor.cli", *args],
        env=env, capture_output=True, text=True, check=True, cwd=REPO,
    )  # fmt: skip
    return done.stdout


def _work_some(env: dict[str, str]) -> None:
    """Give the pictures some history: a few items taken, answered and closed."""
    code = """
from datetime import timedelta
from sqlalchemy import select
from monitor.config import load_settings
from monitor.store.assignments import assign
from monitor.store.db import Database
from monitor.store.mentions import change_status
from monitor.store.models import Mention, utcnow
from monitor.store.notes import add_note
from monitor.store.users import add_user, get_user
settings = load_settings()
db = Database(settings.database.url)
with db.write() as session:
    anne = add_user(session, "anne", role="agent", teams=["webcare", "customer_service"],
                    password="demo password")
    admin = get_user(session, "admin")
    ids = list(session.scalars(select(Mention.id).order_by(Mention.id)))
    now = utcnow()
    for n, mention_id in enumerate(ids):
        mention = session.get(Mention, mention_id)
        at = now - timedelta(hours=n * 7 * 24 / len(ids) + 0.2)
        mention.published_at = mention.collected_at = at
        if mention.team == "spokesperson" or n < 12:
            continue
        if n % 4 == 0:
            assign(session, mention_id, anne, admin)
            change_status(session, mention_id, "in_progress", anne)
            mention.first_response_at = at + timedelta(minutes=20 + n)
        elif n % 4 != 3:
            change_status(session, mention_id, "resolved", anne)
            mention.first_response_at = at + timedelta(minutes=15 + 3 * n)
            mention.resolved_at = at + timedelta(hours=1 + n % 5)
    add_note(session, ids[0], admin, "@anne deze klant belde ook al met de klantenservice")
"""
    subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=REPO)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        config = _config(Path(folder))
        env = {**os.environ, "WEBCARE_CONFIG": str(config),
               "WEBCARE_DATABASE_URL": f"sqlite:///{folder}/webcare.db"}  # fmt: skip
        _webcare(env, "init")
        _webcare(env, "collect", "--once")
        _work_some(env)
        password = (Path(folder) / "instance" / "initial-admin-password.txt").read_text().strip()
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "monitor.cli", "serve", "--port", str(port)],
            env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    httpx.get(base + "/healthz")
                    break
                except httpx.HTTPError:
                    time.sleep(0.2)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                                     args=["--no-sandbox", "--disable-gpu"])  # fmt: skip
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(base + "/login")
                page.fill("#username", "admin")
                page.fill("#password", password)
                page.click("button[type=submit]")
                page.goto(base + "/queue/customer_service")
                page.keyboard.press("j")
                page.screenshot(path=str(OUT / "queue.png"))
                page.goto(base + "/mentions/1")  # the one with a note
                page.screenshot(path=str(OUT / "mention.png"))
                page.goto(base + "/dashboard?days=7")
                page.screenshot(path=str(OUT / "dashboard.png"), full_page=True)
                browser.close()
        finally:
            server.terminate()
            server.wait(10)
    print(f"wrote queue.png, mention.png and dashboard.png in {OUT}")


if __name__ == "__main__":
    main()
