"""A local feed server for the demo brand: RSS 2.0, Atom, RSS 1.0 (RDF) and JSON Feed that
release the bundled demo mentions a few at a time, so a newcomer sees the queue fill and grow
with no internet."""

from __future__ import annotations

import json
import logging
import random
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape as html_escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

log = logging.getLogger(__name__)

FEEDS = {
    "news": ("/news.rss", "application/rss+xml; charset=utf-8", "Nieuws over Stroomlijn"),
    "forum": ("/forum.atom", "application/atom+xml; charset=utf-8", "Energieforum"),
    "social": ("/social.rdf", "application/rdf+xml; charset=utf-8", "Openbare berichten"),
    "reviews": ("/reviews.json", "application/feed+json; charset=utf-8", "App-reviews"),
}
WINDOW = 60  # items per feed, as real feeds show only their latest entries


@dataclass(frozen=True)
class DemoPost:
    channel: str
    title: str
    text: str
    author: str
    slug: str
    published_at: datetime


def load_posts(path: Path) -> list[dict[str, Any]]:
    posts = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    random.Random(7).shuffle(posts)  # a fixed mix, so that every run tells the same story
    return posts


class DemoFeeds:
    """Which posts are out at a given moment: `initial` at start, then one every `every` s."""

    def __init__(
        self,
        posts: list[dict[str, Any]],
        *,
        initial: int,
        every: float,
        started: datetime | None = None,
    ) -> None:
        if not posts:
            raise ValueError("the demo needs at least one post")
        self.posts = posts
        self.initial = initial
        self.every = every
        self.started = started or datetime.now(UTC)

    def released(self, now: datetime | None = None) -> list[DemoPost]:
        now = now or datetime.now(UTC)
        elapsed = max(0.0, (now - self.started).total_seconds())
        count = self.initial + int(elapsed // self.every)
        out = []
        for index in range(count):
            raw = self.posts[index % len(self.posts)]
            rerun = index // len(self.posts)
            if index < self.initial:  # the backlog: spread over the hours before the start
                published = self.started - timedelta(minutes=7 * (self.initial - index))
            else:
                published = self.started + timedelta(
                    seconds=(index - self.initial + 1) * self.every
                )
            slug = raw["slug"] if rerun == 0 else f"{raw['slug']}-{rerun + 1}"
            out.append(
                DemoPost(raw["channel"], raw["title"], raw["text"], raw["author"], slug, published)
            )
        return out

    def channel(self, name: str, now: datetime | None = None) -> list[DemoPost]:
        posts = [p for p in self.released(now) if p.channel == name]
        return list(reversed(posts[-WINDOW:]))


def _rss(posts: list[DemoPost], base: str, title: str) -> str:
    items = "".join(
        f"<item><title>{escape(p.title)}</title><link>{base}/item/{p.slug}</link>"
        f'<guid isPermaLink="true">{base}/item/{p.slug}</guid>'
        f"<pubDate>{format_datetime(p.published_at)}</pubDate>"
        f"<author>{escape(p.author)}</author>"
        f"<description>{escape(p.text)}</description></item>"
        for p in posts
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>{base}/</link><language>nl</language>"
        f"<description>Demo</description>{items}</channel></rss>"
    )


def _atom(posts: list[DemoPost], base: str, title: str) -> str:
    updated = posts[0].published_at.isoformat() if posts else datetime.now(UTC).isoformat()
    entries = "".join(
        f'<entry><title>{escape(p.title)}</title><link href="{base}/item/{p.slug}"/>'
        f"<id>urn:demo:{p.slug}</id><updated>{p.published_at.isoformat()}</updated>"
        f"<author><name>{escape(p.author)}</name></author>"
        f'<content type="html">{escape("<p>" + html_escape(p.text) + "</p>")}</content></entry>'
        for p in posts
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>urn:demo:forum</id><updated>{updated}</updated>"
        f"{entries}</feed>"
    )


def _rdf(posts: list[DemoPost], base: str, title: str) -> str:
    seq = "".join(f'<rdf:li rdf:resource="{base}/item/{p.slug}"/>' for p in posts)
    items = "".join(
        f'<item rdf:about="{base}/item/{p.slug}"><title>{escape(p.title)}</title>'
        f"<link>{base}/item/{p.slug}</link><description>{escape(p.text)}</description>"
        f"<dc:creator>{escape(p.author)}</dc:creator><dc:date>{p.published_at.isoformat()}</dc:date>"
        "</item>"
        for p in posts
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<channel rdf:about="{base}/social.rdf"><title>{escape(title)}</title>'
        f"<link>{base}/</link><description>Demo</description><items><rdf:Seq>{seq}</rdf:Seq>"
        f"</items></channel>{items}</rdf:RDF>"
    )


def _json_feed(posts: list[DemoPost], base: str, title: str) -> str:
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": title,
            "home_page_url": f"{base}/",
            "items": [
                {
                    "id": p.slug,
                    "url": f"{base}/item/{p.slug}",
                    "title": p.title,
                    "content_text": p.text,
                    "date_published": p.published_at.isoformat(),
                    "authors": [{"name": p.author}],
                }
                for p in posts
            ],
        },
        ensure_ascii=False,
    )


_RENDER = {"news": _rss, "forum": _atom, "social": _rdf, "reviews": _json_feed}


def render(channel: str, feeds: DemoFeeds, base: str, now: datetime | None = None) -> str:
    return _RENDER[channel](feeds.channel(channel, now), base, FEEDS[channel][2])


class _Handler(BaseHTTPRequestHandler):
    server: _DemoHTTPServer

    def do_GET(self) -> None:
        feeds, base = self.server.feeds, self.server.base_url
        path = self.path.split("?", 1)[0]
        for channel, (feed_path, content_type, _) in FEEDS.items():
            if path == feed_path:
                self._send(200, content_type, render(channel, feeds, base))
                return
        if path.startswith("/item/"):
            slug = path.removeprefix("/item/")
            post = next((p for p in feeds.released() if p.slug == slug), None)
            if post:
                body = (
                    f"<!doctype html><meta charset=utf-8><title>{html_escape(post.title or slug)}"
                    f"</title><p><b>{html_escape(post.author)}</b> · "
                    f"{post.published_at:%Y-%m-%d %H:%M} UTC</p><h1>{html_escape(post.title)}</h1>"
                    f"<p>{html_escape(post.text)}</p>"
                    "<p><i>Demo post served by Webcare Triage.</i></p>"
                )
                self._send(200, "text/html; charset=utf-8", body)
                return
        self._send(404, "text/plain; charset=utf-8", "not found")

    def _send(self, status: int, content_type: str, body: str) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("demo server: " + format, *args)


class _DemoHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    feeds: DemoFeeds
    base_url: str


class DemoServer:
    """Serves the demo feeds from a background thread."""

    def __init__(self, feeds: DemoFeeds, host: str = "127.0.0.1", port: int = 0) -> None:
        self.httpd = _DemoHTTPServer((host, port), _Handler)
        self.httpd.feeds = feeds
        self.port = self.httpd.server_address[1]
        self.httpd.base_url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, name="demo-feeds", daemon=True
        )

    @property
    def base_url(self) -> str:
        return self.httpd.base_url

    def start(self) -> DemoServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
