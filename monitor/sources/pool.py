"""Feed parsing in worker processes: parsing, not the network, is what limits a poll cycle.

feedparser is pure Python and holds the GIL, so collector threads parsing side by side run one
at a time. A process per core parses in parallel; tiny documents stay in the calling thread
because shipping them to a process costs more than parsing them.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from monitor.errors import FetchError
from monitor.sources.base import ParsedFeed
from monitor.sources.feed import read_feed

log = logging.getLogger(__name__)

# Below this size a document is parsed in the calling thread.
INLINE_BYTES = 8 * 1024


class ParsePool:
    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                # spawn: the collector has threads, and forking a threaded process is unsafe.
                self._executor = ProcessPoolExecutor(
                    max_workers=self.processes,
                    mp_context=multiprocessing.get_context("spawn"),
                )
            return self._executor

    def read(self, body: bytes, url: str, content_type: str | None) -> ParsedFeed:
        if self.processes <= 0 or len(body) < INLINE_BYTES:
            return read_feed(body, url, content_type)
        pool = self._pool()
        try:
            return pool.submit(read_feed, body, url, content_type).result()
        except BrokenProcessPool:
            # A parser process died (killed, out of memory): start fresh for the next feed.
            with self._lock:
                if self._executor is pool:
                    self._executor = None
            pool.shutdown(wait=False, cancel_futures=True)
            log.error("a feed parser process died while parsing %s; restarting the pool", url)
            raise FetchError("the feed parser process died on this document") from None

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
