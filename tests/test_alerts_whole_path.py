"""Alerts as the PR officer gets them: a journalist's question in a served feed becomes exactly
one mail (real SMTP server) and one signed webhook call (real HTTP receiver); a dead source
becomes one blind-spot alert. Driven through `webcare collect --once`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import update

from monitor.alerts.channels import sign
from monitor.cli import main
from monitor.store.db import Database
from monitor.store.models import Source, utcnow
from tests.conftest import FeedServer, Receiver, SmtpServer, rss

INQUIRY = rss(
    {
        "title": "Persvraag over de storing",
        "link": "https://forum.example/t/1",
        "guid": "t1",
        "description": "Ik ben journalist bij Het Zuiderblad en schrijf over de storing. Graag "
        "een reactie van de woordvoerder van Stroomlijn, deadline vandaag 16.00 uur.",
    },
    {
        "title": "Opzeggen?",
        "link": "https://forum.example/t/2",
        "guid": "t2",
        "description": "Hoe kan ik mijn contract bij Stroomlijn opzeggen als ik verhuis?",
    },
)


def _config(
    tmp_path: Path, db_url: str, feeds: FeedServer, smtp: SmtpServer, hook: Receiver
) -> Path:
    path = tmp_path / "webcare.toml"
    path.write_text(
        f"""
[database]
url = "{db_url}"
[fetch]
allow_private_addresses = true
[paths]
instance = "{tmp_path / "instance"}"
[web]
public_url = "https://webcare.stroomlijn.test"
[alerting]
notify_pr_officers = false  # this test names its targets
[mail]
host = "127.0.0.1"
port = {smtp.port}
security = "none"
sender = "webcare@stroomlijn.test"
[[webhooks]]
name = "crm"
url = "http://{hook.address}/webcare"
secret_env = "CRM_WEBHOOK_SECRET"
[[brands]]
name = "Stroomlijn"
query = "stroomlijn"
[[sources]]
name = "forum"
url = "{feeds.serve("/forum.rss", INQUIRY)}"
[[sources]]
name = "dead"
url = "{feeds.serve("/dead.rss", "", status=503)}"
interval = "5m"
[[alerts]]
name = "press"
category = "journalist_inquiry"
notify = ["email:woordvoerder@stroomlijn.test", "webhook:crm"]
[[alerts]]
event = "blind_spot"
notify = ["webhook:crm"]
"""
    )
    return path


def test_a_journalist_inquiry_is_one_mail_and_one_webhook_call_and_a_dead_source_one_alert(
    database_url: str,
    tmp_path: Path,
    feed_server: FeedServer,
    smtp_server: SmtpServer,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CRM_WEBHOOK_SECRET", "gedeeld-geheim")
    config = _config(tmp_path, database_url, feed_server, smtp_server, receiver)

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, ["--config", str(config), *args])

    assert run("init").exit_code == 0
    first = run("collect", "--once")
    assert first.exit_code == 0, first.output
    assert "alerts: 2 message(s) sent" in first.stdout

    [mail] = smtp_server.wait_for(1)
    assert mail.recipients == ["woordvoerder@stroomlijn.test"]
    assert mail.message.get_content_type() == "text/plain"  # feed text is never mailed as HTML
    assert mail.subject.startswith("Journalist inquiry about Stroomlijn, deadline ")
    text = mail.text()
    assert "journalist bij Het Zuiderblad" in text
    assert "Deadline: " in text and "16:00" in text
    assert "Source: forum" in text
    assert "Original: https://forum.example/t/1" in text
    assert "In webcare: https://webcare.stroomlijn.test/mentions/" in text

    [call] = receiver.wait_for(1)
    stamp = call.headers["X-Webcare-Timestamp"]
    assert call.headers["X-Webcare-Signature"] == sign("gedeeld-geheim", stamp, call.body)
    [alert] = call.json()["alerts"]
    assert alert["data"]["category"] == "journalist_inquiry"
    assert alert["data"]["url"] == "https://forum.example/t/1"
    assert alert["data"]["deadline_at"]

    # Collecting again finds nothing new: nobody is told twice.
    again = run("collect", "--once")
    assert "alerts:" not in again.stdout
    assert len(smtp_server.mails) == 1 and len(receiver.received) == 1

    # The dead source has failed since it was added; an hour later it is a blind spot.
    db = Database(database_url)
    with db.write() as session:
        session.execute(
            update(Source)
            .where(Source.name == "dead")
            .values(created_at=utcnow() - timedelta(hours=1))
        )
    db.dispose()
    later = run("collect", "--once")
    assert "alerts: 1 message(s) sent" in later.stdout, later.output
    calls = receiver.wait_for(2)
    assert len(calls) == 2
    assert calls[1].json()["subject"].startswith("dead is down since ")
    assert "HTTP 503" in calls[1].json()["body"]
    assert "alerts:" not in run("collect", "--once").stdout
    assert len(receiver.received) == 2 and len(smtp_server.mails) == 1


def test_an_apprise_url_that_apprise_does_not_know_stops_the_start_and_names_it(
    tmp_path: Path,
) -> None:
    config = tmp_path / "webcare.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "w.db"}"\n'
        '[[alerts]]\ncategory = "complaint"\nnotify = ["json://ok.example/hook", "slak://T/B/C"]\n'
    )
    result = CliRunner().invoke(main, ["--config", str(config), "collect", "--once"])
    assert result.exit_code != 0
    assert result.stderr.strip().endswith(
        "alerts[0].notify[1]: Apprise does not understand 'slak://T/B/C' "
        "(see https://github.com/caronc/apprise/wiki for the URL forms)"
    )
    assert "Traceback" not in result.output


BURST = [  # eight of these ten the seed model calls complaints
    "Al drie dagen geen stroom en Stroomlijn neemt niet op. Wat een zooi!",
    "Storing bij Stroomlijn, weer geen stroom in de hele straat. Klantenservice onbereikbaar",
    "Ik ben echt boos op Stroomlijn, mijn klacht is na twee weken nog niet opgelost",
    "Slechtste energieleverancier ooit, Stroomlijn rekent dubbel en reageert niet op klachten",
    "Stroomlijn heeft mijn factuur verkeerd berekend en niemand helpt me. Diep teleurgesteld",
    "Al een uur in de wacht bij Stroomlijn, dit is echt waardeloze klantenservice",
    "Klacht: monteur van Stroomlijn kwam niet opdagen en nu moet ik weer vrij nemen",
    "Stroomlijn app werkt alweer niet, ik kan mijn meterstanden niet doorgeven. Slecht!",
    "Weer een storing bij Stroomlijn en geen enkele uitleg, ik stap over naar een ander",
    "Stroomlijn incasseert te veel en het geld komt maar niet terug, ik ben het zat",
]


def test_a_burst_of_complaints_in_a_served_feed_is_one_spike_alert(
    database_url: str, tmp_path: Path, feed_server: FeedServer, receiver: Receiver
) -> None:
    feed = rss(*({"title": "", "guid": f"c{n}", "link": f"https://forum.example/c/{n}",
                  "description": text} for n, text in enumerate(BURST)))  # fmt: skip
    config = tmp_path / "webcare.toml"
    config.write_text(
        f"""
[database]
url = "{database_url}"
[fetch]
allow_private_addresses = true
[paths]
instance = "{tmp_path / "instance"}"
[alerting.spike]
min_count = 5
[[brands]]
name = "Stroomlijn"
query = "stroomlijn"
[[sources]]
name = "forum"
url = "{feed_server.serve("/burst.rss", feed)}"
[[alerts]]
event = "spike"
notify = ["json://{receiver.address}/crisis"]
"""
    )

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, ["--config", str(config), *args])

    assert run("init").exit_code == 0
    first = run("collect", "--once")
    assert "alerts: 1 message(s) sent" in first.stdout, first.output
    [call] = receiver.wait_for(1)
    assert call.json()["title"].startswith("Spike in complaints about Stroomlijn: ")
    assert "Top terms: " in call.json()["message"] and "storing" in call.json()["message"]
    assert call.json()["message"].count("• ") == 3  # three example posts, with their links
    assert "alerts:" not in run("collect", "--once").stdout
    assert len(receiver.received) == 1
