"""What a newcomer gets from `make run`: the shipped demo config fills the queues within a minute
and keeps receiving new mentions, from one `webcare run` process, with no internet."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


_GIVEN: set[int] = set()


def _free_port() -> int:
    """A free port, never one this module handed out before (the OS may offer it again)."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port not in _GIVEN:
            _GIVEN.add(port)
            return port


def _demo_config(tmp_path: Path) -> Path:
    """The shipped config, with its ports and database moved into this test's own space."""
    shipped = (REPO / "config" / "webcare.toml").read_text()
    demo_port = _free_port()
    text = shipped.replace("127.0.0.1:8765", f"127.0.0.1:{demo_port}")
    text = text.replace("port = 8765", f"port = {demo_port}")
    text = text.replace('new_item_every = "8s"', 'new_item_every = "1s"')
    text = text.replace('interval = "15s"', 'interval = "2s"')
    text = text.replace('tick = "5s"', 'tick = "1s"')
    text = text.replace(
        'data = "demo/mentions.jsonl"', f'data = "{REPO / "config/demo/mentions.jsonl"}"'
    )
    text = text.replace('instance = "instance"', f'instance = "{tmp_path / "instance"}"')
    path = tmp_path / "webcare.toml"
    path.write_text(text)
    return path


def _webcare(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor.cli", "--config", str(config), *args],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "WEBCARE_DATABASE_URL": f"sqlite:///{config.parent / 'demo.db'}"},
    )  # fmt: skip


def _total(client: httpx.Client, base: str, token: str, **params: str) -> int:
    response = client.get(
        f"{base}/api/v1/mentions",
        params={"per_page": "1", **params},
        headers={"Authorization": f"Bearer {token}"},
    )
    response.raise_for_status()
    return int(response.json()["total"])


def test_the_demo_fills_every_queue_and_keeps_flowing(tmp_path: Path) -> None:
    config = _demo_config(tmp_path)
    init = _webcare(config, "init")
    assert init.returncode == 0, init.stderr
    assert re.search(r"demo: created user 'admin' with password '[^']{12,}'", init.stdout)
    token = _webcare(config, "token", "create", "admin").stdout.strip()
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "monitor.cli", "--config", str(config), "run", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "WEBCARE_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}"},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(timeout=5) as client:
            deadline = time.monotonic() + 60
            first = 0
            while time.monotonic() < deadline:
                try:
                    first = _total(client, base, token)
                except httpx.TransportError:
                    first = 0
                if first >= 30:
                    break
                time.sleep(0.5)
            assert first >= 30, "the queues did not fill within a minute"
            for team in ("webcare", "customer_service", "spokesperson"):
                assert _total(client, base, token, team=team) > 0, f"{team} queue is empty"
            deadline = time.monotonic() + 30
            later = first
            while time.monotonic() < deadline and later <= first:
                time.sleep(0.5)
                later = _total(client, base, token)
            assert later > first, "no new mentions arrived while the demo ran"
            login_page = client.get(f"{base}/login")
            assert login_page.status_code == 200 and "Log in" in login_page.text
    finally:
        process.send_signal(signal.SIGTERM)  # what a service manager sends
        output, _ = process.communicate(timeout=30)
        print(output)  # pytest shows it when the test fails
    assert f"Webcare Triage is running at http://127.0.0.1:{port}/" in output
    assert "log in as 'admin' with password" in output
    assert "Traceback" not in output
    assert process.returncode == 0, output
