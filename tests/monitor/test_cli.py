"""The `webcare` command: every command explains itself, and mistakes give one clear line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from monitor.cli import main
from monitor.store.db import Database

COMMANDS = [
    [], ["init"], ["run"], ["serve"], ["worker"], ["collect"], ["classify"], ["evaluate"],
    ["train"], ["export"], ["user"], ["user", "add"], ["token"], ["token", "create"],
]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "webcare")
def test_every_command_explains_itself(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage: webcare" in result.output
    assert len(result.output.splitlines()) > 4


def _config(tmp_path: Path, db_url: str, extra: str = "") -> Path:
    path = tmp_path / "webcare.toml"
    path.write_text(f'[database]\nurl = "{db_url}"\n{extra}')
    return path


def _run(config: Path, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, ["--config", str(config), *args], input=input)


def test_a_bad_config_names_file_key_and_expectation(tmp_path: Path) -> None:
    config = _config(tmp_path, "sqlite://", '[[sources]]\nname = "x"\nurl = "ftp://nope"\n')
    result = _run(config, "init")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"webcare: error: {config}: sources[0].url: expected an http:// or https:// URL, "
        "got 'ftp://nope'"
    )


def test_a_missing_config_file_says_how_to_give_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "nope.toml"), "init"])
    assert result.exit_code == 2
    assert (
        "configuration file not found (give --config PATH or set WEBCARE_CONFIG)" in result.stderr
    )


def test_an_unreachable_database_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    config = _config(tmp_path, "postgresql://nobody@127.0.0.1:1/none")
    result = subprocess.run(
        [sys.executable, "-m", "monitor.cli", "--config", str(config), "collect", "--once"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("webcare: error: cannot reach the database at postgresql")
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_commands_on_an_unmigrated_database_ask_for_init(tmp_path: Path) -> None:
    config = _config(tmp_path, f"sqlite:///{tmp_path / 'empty.db'}")
    result = _run(config, "export")
    assert result.exit_code == 2
    assert "run `webcare init`" in result.stderr


def test_an_unknown_source_name_lists_the_configured_ones(tmp_path: Path, db: Database) -> None:
    config = _config(tmp_path, db.url, '[[sources]]\nname = "news"\nurl = "https://e.org/f"\n')
    result = _run(config, "collect", "--once", "--source", "newz")
    assert result.exit_code == 2
    assert "unknown source 'newz'; configured sources: news" in result.stderr


def test_classify_prints_category_confidence_and_language(tmp_path: Path, db: Database) -> None:
    config = _config(tmp_path, db.url)
    result = _run(
        config,
        "classify",
        "--json",
        input="Hoe kan ik mijn adres wijzigen bij jullie?\n\nThanks, great help today!\n",
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["category"], r["language"]) for r in rows] == [("question", "nl"), ("praise", "en")]
    for row in rows:
        assert set(row) == {"text", "category", "confidence", "language", "scores"}
        assert abs(sum(row["scores"].values()) - 1) < 0.01
        assert row["confidence"] == max(row["scores"].values())


def test_evaluate_reports_per_class_scores_and_confusion(tmp_path: Path, db: Database) -> None:
    data = tmp_path / "eval.csv"
    data.write_text(
        'text,label\n"Waar blijft mijn pakket nou, al een week te laat!!",complaint\n'
        "Kunnen jullie mij vertellen hoe ik mijn abonnement opzeg?,question\n"
    )
    result = _run(_config(tmp_path, db.url), "evaluate", "--data", str(data), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["n"] == 2 and set(report["per_class"]) >= {"complaint", "question"}
    assert set(report["by_language"]) == {"nl"} and report["by_language"]["nl"]["n"] == 2
    assert len(report["confusion"]) == len(report["labels"])
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\nhello,angry\n")
    refused = _run(_config(tmp_path, db.url), "evaluate", "--data", str(bad))
    assert refused.exit_code == 2 and "unknown label 'angry'" in refused.stderr


def test_users_and_tokens(tmp_path: Path, db: Database) -> None:
    config = _config(tmp_path, db.url)
    added = _run(
        config,
        "user",
        "add",
        "anne",
        "--role",
        "agent",
        "--team",
        "webcare",
        "--password-stdin",
        input="long enough password\n",
    )
    assert added.exit_code == 0 and "user 'anne' added as agent in webcare" in added.output
    again = _run(
        config,
        "user",
        "add",
        "anne",
        "--role",
        "agent",
        "--password-stdin",
        input="long enough password\n",
    )
    assert again.exit_code == 2 and "already exists" in again.stderr
    short = _run(config, "user", "add", "bob", "--role", "viewer", "--password-stdin", input="x\n")
    assert short.exit_code == 2 and "at least 8 characters" in short.stderr
    bad_role = _run(
        config, "user", "add", "carl", "--role", "boss", "--password-stdin", input="x\n"
    )
    assert bad_role.exit_code == 2 and "'boss' is not one of" in bad_role.output
    petra = _run(config, "user", "add", "petra", "--role", "pr_officer", "--email",
                 "petra@stroomlijn.test", "--password-stdin",
                 input="long enough password\n")  # fmt: skip
    assert petra.exit_code == 0, petra.output
    bad_mail = _run(config, "user", "add", "dirk", "--role", "viewer", "--email", "dirk",
                    "--password-stdin", input="long enough password\n")  # fmt: skip
    assert bad_mail.exit_code == 2 and "'dirk' is not an e-mail address" in bad_mail.stderr
    token = _run(config, "token", "create", "anne")
    assert token.exit_code == 0 and token.stdout.startswith("wct_")
    assert _run(config, "token", "create", "nobody").exit_code == 2


def test_export_refuses_a_bad_since(tmp_path: Path, db: Database) -> None:
    result = _run(_config(tmp_path, db.url), "export", "--since", "yesterday")
    assert result.exit_code == 2 and "--since: expected an ISO-8601 time" in result.stderr


def test_importing_monitor_does_not_pull_in_flask() -> None:
    code = (
        "import sys, monitor.cli, monitor.pipeline, monitor.scheduler; "
        "print('flask' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_a_port_in_use_is_one_clear_line(tmp_path: Path, db: Database) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _run(_config(tmp_path, db.url), "serve", "--port", str(port))
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "choose another with --port" in result.stderr
