"""Failed-login throttling: a sliding window of failures per key (address, user name)."""

from __future__ import annotations

import threading
import time
from collections import deque


class Throttle:
    def __init__(self, limit: int = 10, window: float = 600.0) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        entries = self._failures.setdefault(key, deque())
        while entries and entries[0] <= now - self.window:
            entries.popleft()
        return entries

    def blocked(self, *keys: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return any(len(self._recent(k, now)) >= self.limit for k in keys)

    def fail(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)
            if len(self._failures) > 10_000:  # keep memory bounded under a spray of names
                self._failures = {k: v for k, v in self._failures.items() if v}

    def reset(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


class RateLimit:
    """At most `limit` actions per `window` seconds per key (a person's forwards)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._taken: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float | None:
        """Count one action; None when allowed, else the seconds until the next one is."""
        now = time.monotonic()
        with self._lock:
            taken = self._taken.setdefault(key, deque())
            while taken and taken[0] <= now - self.window:
                taken.popleft()
            if len(taken) >= self.limit:
                return taken[0] + self.window - now
            taken.append(now)
            if len(self._taken) > 10_000:
                self._taken = {k: v for k, v in self._taken.items() if v}
            return None
