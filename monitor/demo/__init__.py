"""The self-contained demo: feeds about a fictional brand, served locally."""

from __future__ import annotations

import errno
import logging

from monitor.config import Settings
from monitor.demo.server import DemoFeeds, DemoServer, load_posts
from monitor.errors import ConfigError

log = logging.getLogger(__name__)


def start_demo_server(settings: Settings) -> DemoServer | None:
    """Start the demo feeds if the config enables them; None if another process serves them."""
    demo = settings.demo
    if not demo.enabled:
        return None
    path = settings.config_dir / demo.data
    try:
        posts = load_posts(path)
    except OSError as exc:
        raise ConfigError(
            f"{settings.config_path}: demo.data: cannot read {path}: {exc.strerror}"
        ) from None
    feeds = DemoFeeds(posts, initial=demo.initial_items, every=demo.new_item_every)
    try:
        return DemoServer(feeds, demo.host, demo.port).start()
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            log.info(
                "demo feeds: port %s is in use, assuming another webcare process serves them",
                demo.port,
            )
            return None
        raise ConfigError(
            f"{settings.config_path}: demo.port: cannot listen on {demo.host}:{demo.port}: "
            f"{exc.strerror}"
        ) from None
