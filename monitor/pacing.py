"""How often each source is checked, and how many checks may hit one host at once."""

from __future__ import annotations

import random
import threading
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit


def next_delay(
    interval: float,
    consecutive_errors: int,
    *,
    max_backoff: float,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds until the next check: the interval with 10% jitter when healthy; after errors an
    exponential backoff with jitter, capped, never a permanent stop; a server's Retry-After wins
    when it asks for longer."""
    rng = rng or random.Random()
    if consecutive_errors <= 0:
        delay = interval * rng.uniform(0.9, 1.1)
    else:
        ceiling = min(max_backoff, interval * 2 ** min(consecutive_errors, 20))
        delay = rng.uniform(ceiling / 2, ceiling)
    if retry_after is not None:
        delay = max(delay, min(retry_after, max_backoff))
    return max(1.0, delay)


@dataclass(frozen=True)
class IntervalBounds:
    """Where an adaptive interval may go for a source configured at `configured` seconds."""

    configured: float
    min_interval: float
    max_interval: float

    @property
    def low(self) -> float:
        return min(self.configured, self.min_interval)

    @property
    def high(self) -> float:
        # A quiet source still gets checked at least every 4 configured intervals: a team that
        # asked for 5 minutes never waits hours for the first post after a quiet night.
        return max(self.configured, min(self.max_interval, 4 * self.configured))


def adapt_interval(
    current: float,
    new_items: int,
    bounds: IntervalBounds,
    *,
    server_minimum: float | None = None,
) -> float:
    """The next interval: shorter while a source keeps posting, longer while it stays quiet.

    One new item keeps the pace; several mean we check too rarely; none means we could wait
    longer. A server that asks for a minimum (RSS ttl, Cache-Control max-age) gets it, up to
    the upper bound.
    """
    if new_items > 1:
        proposed = current * 0.7
    elif new_items == 1:
        proposed = current
    else:
        proposed = current * 1.2
    proposed = min(max(proposed, bounds.low), bounds.high)
    if server_minimum:
        proposed = max(proposed, min(server_minimum, bounds.high))
    return proposed


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


class HostGate:
    """Runs at most `per_host` tasks per host at once; the rest wait in line, not in a thread.

    A slow host then holds at most `per_host` of the collector's threads, and the other hosts'
    sources go on.
    """

    def __init__(self, per_host: int, submit: Callable[[Callable[[], None]], None]) -> None:
        self.per_host = per_host
        self._submit = submit
        self._running: dict[str, int] = defaultdict(int)
        self._waiting: dict[str, deque[Callable[[], None]]] = defaultdict(deque)
        self._lock = threading.Lock()

    def run(self, host: str, task: Callable[[], None]) -> None:
        with self._lock:
            if self._running[host] >= self.per_host:
                self._waiting[host].append(task)
                return
            self._running[host] += 1
        self._submit(lambda: self._run_then_next(host, task))

    def _run_then_next(self, host: str, task: Callable[[], None]) -> None:
        try:
            task()
        finally:
            with self._lock:
                queue = self._waiting.get(host)
                follow = queue.popleft() if queue else None
                if follow is None:
                    self._running[host] -= 1
                    if not self._running[host]:
                        del self._running[host]
                    self._waiting.pop(host, None)
            if follow is not None:
                self._submit(lambda: self._run_then_next(host, follow))

    def waiting(self) -> int:
        with self._lock:
            return sum(len(q) for q in self._waiting.values())
