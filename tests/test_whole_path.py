"""The whole path, as a newcomer drives it: feeds served locally -> `webcare collect --once` ->
classified and routed mentions in the right team queue and in `webcare export`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner, Result

from monitor.cli import main
from monitor.config import load_settings
from monitor.store.db import Database
from tests.conftest import FeedServer, rss
from webui import create_app

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Forum</title><id>urn:f</id>
<updated>2026-11-20T10:00:00Z</updated>
<entry><title>Persvraag over Stroomlijn</title><id>urn:f:1</id><link href="/topic/1"/>
<updated>2026-11-20T10:00:00Z</updated><author><name>Redactie Zuiderblad</name></author>
<content type="html">&lt;p&gt;Ik ben journalist bij Het Zuiderblad en schrijf over de storing.
Graag een reactie van de woordvoerder van Stroomlijn, deadline vandaag 16.00 uur.&lt;/p&gt;
&lt;script&gt;alert(1)&lt;/script&gt;</content></entry>
</feed>"""

JSON_FEED = json.dumps({
    "version": "https://jsonfeed.org/version/1.1", "title": "Reviews",
    "items": [{"id": "r1", "url": "https://reviews.example/r1",
               "content_text": "Super geholpen door Stroomlijn, binnen tien minuten opgelost. "
                               "Dikke pluim voor de klantenservice!",
               "date_published": "2026-11-20T09:00:00Z"}],
})  # fmt: skip

RSS = rss(
    {
        "title": "Alweer storing",
        "link": "https://social.example/p/1",
        "guid": "p1",
        "description": "Drie dagen geen stroom en Stroomlijn neemt niet op. Wat een zooi!",
    },
    {
        "title": "Opzeggen?",
        "link": "https://social.example/p/2",
        "guid": "p2",
        "description": "Hoe kan ik mijn contract bij Stroomlijn opzeggen als ik verhuis?",
    },
    {
        "title": "Architectuur",
        "link": "https://social.example/p/3",
        "guid": "p3",
        "description": "Stroomlijn Architecten ontwerpt het nieuwe stadhuis",
    },
)


def _write_config(tmp_path: Path, db_url: str, server: FeedServer) -> Path:
    urls = {
        "social": server.serve("/social.rss", RSS),
        "forum": server.serve("/forum.atom", ATOM, content_type="application/atom+xml"),
        "reviews": server.serve("/reviews.json", JSON_FEED, content_type="application/feed+json"),
    }
    sources = "".join(
        f'[[sources]]\nname = "{name}"\ntype = "rss"\nurl = "{url}"\ninterval = "5m"\n\n'
        for name, url in urls.items()
    )
    path = tmp_path / "webcare.toml"
    path.write_text(
        f'[database]\nurl = "{db_url}"\n\n[fetch]\nallow_private_addresses = true\n\n'
        f'[paths]\ninstance = "{tmp_path / "instance"}"\n\n'
        '[routing]\ncomplaint = "customer_service"\nquestion = "webcare"\n'
        'journalist_inquiry = "spokesperson"\npraise = "webcare"\nother = "webcare"\n\n'
        '[[brands]]\nname = "Stroomlijn"\n'
        'query = \'stroomlijn OR "stroomlijn energie" NOT "stroomlijn architecten"\'\n\n' + sources
    )
    return path


def test_feeds_become_routed_mentions_in_queues_and_exports(
    database_url: str, tmp_path: Path, feed_server: FeedServer
) -> None:
    config = _write_config(tmp_path, database_url, feed_server)
    cli = CliRunner()

    def run(*args: str, input: str | None = None) -> Result:
        return cli.invoke(main, ["--config", str(config), *args], input=input)

    assert run("init").exit_code == 0
    first = run("collect", "--once")
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines() == [
        "forum: ok, 1 items, 1 matched, 1 new, 0 already known",
        "reviews: ok, 1 items, 1 matched, 1 new, 0 already known",
        "social: ok, 3 items, 2 matched, 2 new, 0 already known",
    ]
    second = run("collect", "--once")
    assert "3 items, 2 matched, 0 new, 2 already known" in second.stdout

    exported = run("export", "--format", "jsonl")
    records = {
        r["source"] + ":" + r["category"]: r for r in map(json.loads, exported.stdout.splitlines())
    }
    assert set(records) == {
        "forum:journalist_inquiry",
        "reviews:praise",
        "social:complaint",
        "social:question",
    }
    assert records["forum:journalist_inquiry"]["team"] == "spokesperson"
    assert records["social:complaint"]["team"] == "customer_service"
    assert records["reviews:praise"]["team"] == "webcare"
    assert records["forum:journalist_inquiry"]["url"] == feed_server.base_url + "/topic/1"
    assert "alert(1)" not in records["forum:journalist_inquiry"]["text"]
    for record in records.values():
        assert {
            "id",
            "url",
            "title",
            "text",
            "source",
            "author",
            "language",
            "published_at",
            "collected_at",
            "category",
            "confidence",
            "team",
            "status",
            "priority",
        } <= set(record)

    as_csv = list(csv.DictReader(io.StringIO(run("export", "--format", "csv").stdout)))
    assert len(as_csv) == 4 and {row["status"] for row in as_csv} == {"new"}

    assert (
        run(
            "user",
            "add",
            "anne",
            "--role",
            "agent",
            "--team",
            "spokesperson",
            "--password-stdin",
            input="correct horse\n",
        ).exit_code
        == 0
    )
    settings = load_settings(config)
    app = create_app(settings, Database(settings.database.url), config={"WTF_CSRF_ENABLED": False})
    client = app.test_client()
    client.post("/login", data={"username": "anne", "password": "correct horse"})
    spokesperson = client.get("/queue/spokesperson").get_data(as_text=True)
    assert "Persvraag over Stroomlijn" in spokesperson
    assert "Drie dagen geen stroom" not in spokesperson
    customer_service = client.get("/queue/customer_service").get_data(as_text=True)
    assert "Drie dagen geen stroom" in customer_service
