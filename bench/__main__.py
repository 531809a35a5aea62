"""Run the benchmarks and print one table of figures: `python -m bench [NAME ...]`.

Names: ingest, poll, alerts, classify, real_data, model_choice, real_data_ceiling, matching,
stories, queue, dedup (the last two take minutes: they build a million-entry index and a
million-row database).
"""

from __future__ import annotations

import importlib
import sys

ALL = (
    "ingest",
    "poll",
    "alerts",
    "classify",
    "real_data",
    "model_choice",
    "real_data_ceiling",
    "matching",
    "stories",
    "queue",
    "dedup",
)


def main(names: list[str]) -> None:
    for name in names or ALL:
        if name not in ALL:
            raise SystemExit(f"unknown benchmark {name!r}; choose from {', '.join(ALL)}")
        rows = importlib.import_module(f"bench.{name}").run()
        width = max(len(label) for label, _ in rows)
        for label, value in rows:
            print(f"{label:<{width}}  {value}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
