"""Pacing: backoff after failures, adaptive intervals, and no host holding the whole pool."""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from monitor.pacing import HostGate, IntervalBounds, adapt_interval, host_of, next_delay


def test_healthy_sources_keep_their_interval_with_a_little_jitter() -> None:
    delays = {next_delay(300, 0, max_backoff=21600, rng=random.Random(i)) for i in range(50)}
    assert min(delays) >= 270 and max(delays) <= 330 and len(delays) > 1


def test_failures_back_off_exponentially_up_to_the_cap_and_never_stop() -> None:
    rng = random.Random(1)
    ceilings = [
        max(next_delay(60, n, max_backoff=3600, rng=rng) for _ in range(50)) for n in range(1, 12)
    ]
    assert ceilings[0] <= 120 and ceilings[3] > ceilings[0]
    assert all(c <= 3600 for c in ceilings)
    assert ceilings[-1] >= 1800  # capped, not stopped


def test_retry_after_wins_when_the_server_asks_for_longer() -> None:
    assert next_delay(60, 1, max_backoff=21600, retry_after=5000) >= 5000
    assert next_delay(60, 1, max_backoff=3600, retry_after=99999) == 3600


FIFTEEN_MINUTES = IntervalBounds(configured=900, min_interval=300, max_interval=86400)


def test_a_source_that_keeps_posting_is_checked_more_often_down_to_the_lower_bound() -> None:
    interval = 900.0
    for _ in range(20):
        interval = adapt_interval(interval, 5, FIFTEEN_MINUTES)
    assert interval == 300


def test_a_quiet_source_is_checked_less_often_up_to_four_configured_intervals() -> None:
    interval = 900.0
    seen = []
    for _ in range(30):
        interval = adapt_interval(interval, 0, FIFTEEN_MINUTES)
        seen.append(interval)
    assert seen[0] > 900 and seen == sorted(seen)
    assert interval == 3600


def test_one_new_item_per_check_keeps_the_pace() -> None:
    assert adapt_interval(1200, 1, FIFTEEN_MINUTES) == 1200


def test_a_source_configured_below_the_minimum_keeps_its_configured_pace_as_floor() -> None:
    demo = IntervalBounds(configured=15, min_interval=300, max_interval=86400)
    assert adapt_interval(15, 10, demo) == 15
    assert adapt_interval(15, 0, demo) == 18


def test_a_server_minimum_is_respected_up_to_the_upper_bound() -> None:
    assert adapt_interval(900, 3, FIFTEEN_MINUTES, server_minimum=1800) == 1800
    assert adapt_interval(900, 3, FIFTEEN_MINUTES, server_minimum=10 * 86400) == 3600


def test_the_upper_bound_never_passes_max_interval() -> None:
    daily = IntervalBounds(configured=43200, min_interval=300, max_interval=86400)
    assert adapt_interval(86000, 0, daily) == 86400


def test_host_of_reads_the_host_of_any_url_and_survives_bad_ones() -> None:
    assert host_of("https://News.Example.org:8443/feed") == "news.example.org"
    assert host_of("http://[oops/feed") == ""


def test_one_slow_host_holds_at_most_its_share_of_the_pool() -> None:
    pool = ThreadPoolExecutor(max_workers=4)
    gate = HostGate(2, lambda task: pool.submit(task) and None)
    release = threading.Event()
    running: dict[str, int] = {"slow": 0, "peak": 0}
    lock = threading.Lock()
    fast_done: list[int] = []

    def slow() -> None:
        with lock:
            running["slow"] += 1
            running["peak"] = max(running["peak"], running["slow"])
        release.wait(5)
        with lock:
            running["slow"] -= 1

    for _ in range(6):
        gate.run("slow.example", slow)
    for i in range(5):
        gate.run(f"fast{i}.example", lambda i=i: fast_done.append(i))
    deadline = time.monotonic() + 5
    while len(fast_done) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sorted(fast_done) == [0, 1, 2, 3, 4]  # the other hosts went on
    assert gate.waiting() == 4 and running["peak"] == 2
    release.set()
    deadline = time.monotonic() + 5
    while (gate.waiting() or running["slow"]) and time.monotonic() < deadline:
        time.sleep(0.01)
    pool.shutdown(wait=True)
    assert gate.waiting() == 0 and running == {"slow": 0, "peak": 2}
